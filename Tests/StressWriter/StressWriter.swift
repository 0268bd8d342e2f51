@main struct StressWriter { static func main() {} }
