import Foundation
import Synchronization
import HealthMonitor
import SwitchboardTestSupport
import Testing

/// The status page `/`: server-rendered, self-contained, escaped, and no WCAG 2.1 AA violation
/// found by axe-core in headless Chromium, in Vietnamese and English.
@Suite struct StatusPageTests {
    @Test func pageIsSelfContainedAndEscapesData() async throws {
        let snapshot = Fixture.snapshot()
        let source = FixtureSource(snapshot, uptime: Fixture.uptime(for: snapshot))
        try await TestServer.with(source) { server in
            let response = try await server.request("GET", "/")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/html; charset=utf-8")
            let html = response.text
            #expect(html.contains("<html lang=\"vi\">"))
            #expect(html.contains("window.location.reload()"))
            #expect(!html.contains("http-equiv=\"refresh\""))
            // no external asset: nothing loaded from elsewhere
            #expect(!html.contains("src="))
            #expect(!html.contains("<link"))
            #expect(!html.contains("url("))
            // data is escaped, never markup
            #expect(!html.contains("<script>alert(1)"))
            // a < glued to a prepended mark (one Character) from a server's banner: escaped too
            #expect(Data(html.utf8).range(of: Data("<img".utf8)) == nil, "the glued < of the fixture's banner went out raw")
            #expect(html.contains("Intranet &lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot;"))
            // groups as headings, a captioned table each, the state as a word
            #expect(html.contains("<h3 id=\"group-0\">Cổng <span class=\"group-status\">(Ngừng một phần)</span></h3>"))
            #expect(html.contains("<caption>Nhóm Cổng: trạng thái và mức khả dụng của từng dịch vụ</caption>"))
            #expect(html.contains("<span aria-hidden=\"true\">✗ </span>Ngừng hoạt động</span>"))
            #expect(html.contains("Sự cố đang diễn ra"))
            #expect(html.contains("Nâng cấp Dovecot"))
            // 90 bars per probed service, with a text alternative naming the worst days
            #expect(html.components(separatedBy: "<svg class=\"bars\" role=\"img\"").count - 1 == 6)
            #expect(html.contains("aria-label=\"Khả dụng 90 ngày qua: "))
            // local times in the page's zone (16:00Z is 23:00 in Ho Chi Minh City)
            #expect(html.contains("<time datetime=\"2026-12-04T16:00:00Z\">2026-12-04 23:00</time>"))

            let english = try await server.request("GET", "/?lang=en&refresh=off")
            #expect(english.text.contains("<html lang=\"en\">"))
            #expect(english.text.contains("Some services are down"))
            #expect(!english.text.contains("window.location.reload()"))
            #expect(english.text.contains("Automatic refresh is off."))
        }
    }

    @Test func pageRendersWithoutUptimeWhenTheHistoryFails() async throws {
        let source = FixtureSource(Fixture.snapshot(language: "en"))
        let response = try await TestServer.with(source) { try await $0.request("GET", "/") }
        #expect(response.status == 200)
        #expect(response.text.contains("Availability over 90 days: no data yet."))
    }

    @Test func pageHasNoWCAG21AAViolationInVietnameseOrEnglish() async throws {
        let chromium = try Tool.require("chromium", package: "chromium")
        let driver = try Tool.require("chromedriver", package: "chromium-driver")
        let python = try Tool.axePython()
        let snapshot = Fixture.snapshot()
        let source = FixtureSource(snapshot, uptime: Fixture.uptime(for: snapshot))
        let screenshots = FileManager.default.temporaryDirectory.appendingPathComponent("healthd-page-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let report = try await TestServer.with(source) { server in
            try await withCheckedThrowingContinuation { continuation in
                Thread {
                    continuation.resume(with: Result {
                        try ProcessRunner.run(
                            python, ["-c", Self.axeScript, chromium, driver, screenshots, server.base + "/", server.base + "/?lang=en", server.base + "/?lang=en&refresh=off"],
                            environment: ["SE_OFFLINE": "true"], timeout: 240)
                    })
                }.start()
            }
        }
        #expect(report.status == 0, "axe run failed: \(report.stderr.suffix(2_000))")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: [String: Any]], "\(report.stdout.prefix(500))")

        // the harness can fail: a page with known faults shows them
        let broken = try #require(results["broken"])
        let brokenIDs = Set((broken["violations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        #expect(brokenIDs.isSuperset(of: ["html-has-lang", "color-contrast", "image-alt"]), "\(brokenIDs)")

        for (key, language) in [("0", "vi"), ("1", "en"), ("2", "en")] {
            let result = try #require(results[key])
            #expect(result["lang"] as? String == language)
            let violations = result["violations"] as? [[String: Any]] ?? []
            #expect(violations.isEmpty, "WCAG 2.1 AA violations on page \(key): \(violations)")
            #expect((result["passes"] as? Int ?? 0) >= 10, "axe ran too few rules: \(result)")
            if !violations.isEmpty { print("screenshots of the pages axe checked: \(screenshots)") }
        }
        if results.values.filter({ $0["url"] as? String != nil && !(($0["violations"] as? [Any])?.isEmpty ?? true) }).count <= 1 {
            try? FileManager.default.removeItem(atPath: screenshots)
        }
    }

    /// Runs axe-core (from axe-selenium-python) in headless Chromium on each URL, restricted to
    /// the WCAG 2.0/2.1 A and AA rules, and prints the violations per page as JSON; plus a page
    /// with known faults under the key `broken`, so the test sees the check can fail.
    static let axeScript = #"""
        import json, sys
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
        from axe_selenium_python import Axe

        chromium, chromedriver, shots, urls = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
        options = Options()
        options.binary_location = chromium
        for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,2000"]:
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
        driver.set_script_timeout(120)
        rules = json.dumps({"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
        broken = "data:text/html;charset=utf-8," + "<title>x</title><p style='color:%23bbb;background:%23fff'>faint text</p><img src='x.png'>"
        results = {}
        try:
            for key, url in [("broken", broken)] + [(str(i), u) for i, u in enumerate(urls)]:
                driver.get(url)
                axe = Axe(driver)
                axe.inject()
                outcome = axe.run(options=rules)
                results[key] = {
                    "url": url,
                    "lang": driver.execute_script("return document.documentElement.lang"),
                    "passes": len(outcome["passes"]),
                    "axe": outcome.get("testEngine", {}).get("version"),
                    "violations": [{"id": v["id"], "impact": v.get("impact"), "help": v["help"],
                                    "nodes": [n.get("target") for n in v["nodes"]][:5]} for v in outcome["violations"]],
                }
                if key != "broken":
                    driver.save_screenshot(shots + "/page-" + key + ".png")
        finally:
            driver.quit()
        print(json.dumps(results))
        """#
}
