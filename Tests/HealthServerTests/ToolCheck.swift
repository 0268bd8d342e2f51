import Foundation
import SwitchboardTestSupport

/// The system tools these tests run; a missing one fails the test with what installs it.
enum Tool {
    /// The path of `name` from the places Debian installs it, or a failure naming the package.
    static func require(_ name: String, package: String, in folders: [String] = ["/usr/bin", "/usr/local/bin", "/bin"]) throws -> String {
        for folder in folders where FileManager.default.isExecutableFile(atPath: folder + "/" + name) {
            return folder + "/" + name
        }
        throw TestSetupError("\(name) is not installed: `make deps` installs it (Debian package \(package))")
    }

    /// The Python that has selenium and axe-selenium-python: `$SWITCHBOARD_AXE_PYTHON`, else the
    /// virtual environment `make deps` makes at /opt/switchboard-axe.
    static func axePython() throws -> String {
        let python = ProcessInfo.processInfo.environment["SWITCHBOARD_AXE_PYTHON"] ?? "/opt/switchboard-axe/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestSetupError("\(python) is missing: `make deps` makes it (a Python venv with the PyPI packages selenium and axe-selenium-python)")
        }
        let probe = try ProcessRunner.run(python, ["-c", "import selenium, axe_selenium_python"], timeout: 60)
        guard probe.status == 0 else {
            throw TestSetupError("\(python) lacks selenium or axe-selenium-python: `make deps` installs them (\(probe.stderr.suffix(200)))")
        }
        return python
    }
}
