/// The version every tool reports with `--version`: one place to change it.
public enum SwitchboardVersion {
    /// The release: every tool's `--version` prints this (bump it here, once, for a release).
    public static let current = "0.8.0"
}
