import Foundation

/// The package root, found from this file's path (Tests/DriftLabCLITests/CLIRunner.swift).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The built `driftlab` executable. SwiftPM builds it before the tests (this test target depends on
/// it) into the products folder that also holds the test binary, so look there first: that keeps
/// the binary's build configuration equal to the tests'. `DRIFTLAB_BINARY` overrides the search.
let driftlabExecutable: URL? = {
    var candidates: [URL] = []
    if let path = ProcessInfo.processInfo.environment["DRIFTLAB_BINARY"] { candidates.append(URL(fileURLWithPath: path)) }
    for bundle in [Bundle.main] + Bundle.allBundles {
        // Linux: the test binary is an executable in the products folder; macOS: an .xctest bundle there.
        let url = bundle.bundleURL
        let folder = url.pathExtension == "xctest" ? url.deletingLastPathComponent() : url
        candidates.append(folder.appendingPathComponent("driftlab"))
    }
    if let first = CommandLine.arguments.first {
        candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent().appendingPathComponent("driftlab"))
    }
    for configuration in ["release", "debug"] {
        candidates.append(packageRoot.appendingPathComponent(".build/\(configuration)/driftlab"))
    }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

struct DriftlabNotFound: Error, CustomStringConvertible {
    var description: String { "the driftlab executable was not found next to the tests or under .build; run 'swift build' first" }
}

/// Runs `driftlab args...` in `directory` (the package root by default) and returns what it
/// printed and its exit code. Output goes through temporary files, so a large output cannot
/// block the child on a full pipe.
func runDriftlab(_ args: [String], in directory: URL = packageRoot) throws -> (stdout: String, stderr: String, exitCode: Int32) {
    guard let executable = driftlabExecutable else { throw DriftlabNotFound() }
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("driftlab-cli-\(getpid())-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)

    let process = Process()
    process.executableURL = executable
    process.arguments = args
    process.currentDirectoryURL = directory
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    let stdout = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
    let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
    return (stdout, stderr, process.terminationStatus)
}

/// A fresh temporary folder for one test's files; remove it with `FileManager.removeItem`.
func makeScratchFolder(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("driftlab-\(label)-\(getpid())-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
