import SwitchboardBase

extension Duration {
    /// The duration as fractional seconds, for receipts and timings.
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
