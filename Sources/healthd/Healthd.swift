/// healthd: built by its own part of issue 10.
@main
enum Healthd {
    static func main() {}
}
