extension Duration {
    /// The duration as fractional seconds, for timings, receipts and reports.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
