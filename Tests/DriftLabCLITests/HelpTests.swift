import Testing

@Suite struct HelpListingTests {
    /// Every command appears once in `driftlab help` (a merge once listed some twice), hidden ones not at all.
    @Test func commandsAreListedOnce() throws {
        let result = try runDriftlab(["help"])
        #expect(result.exitCode == 0)
        let names = result.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") }.compactMap { $0.split(separator: " ").first }.map(String.init)
        #expect(!names.isEmpty)
        #expect(Set(names).count == names.count, "listed twice: \(names)")
        #expect(!names.contains("charts-demo"))
        for name in names {
            let help = try runDriftlab([name, "--help"])
            #expect(help.exitCode == 0 && help.stdout.contains("USAGE") && help.stdout.contains("EXAMPLE"), "\(name) --help")
        }
    }
}
