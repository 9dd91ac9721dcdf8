// swift-tools-version:6.0
// DriftLab: a drift and failure simulation laboratory. No package dependencies by design:
// the toolchain's standard library, Foundation, Dispatch and the test libraries only.
import PackageDescription

let package = Package(
    name: "DriftLab",
    products: [
        .executable(name: "driftlab", targets: ["driftlab"]),
        .library(name: "DriftCore", targets: ["DriftCore"]),
        .library(name: "DriftSim", targets: ["DriftSim"]),
        .library(name: "DriftModels", targets: ["DriftModels"]),
        .library(name: "DriftDetectors", targets: ["DriftDetectors"]),
        .library(name: "DriftCharts", targets: ["DriftCharts"]),
        .library(name: "DriftLab", targets: ["DriftLab"]),
    ],
    targets: [
        // Core: random numbers, columns, CSV and JSON, statistics shared by everything above.
        .target(name: "DriftCore"),
        // Side by side on the core: the simulated world, the models, the detectors.
        .target(name: "DriftSim", dependencies: ["DriftCore"]),
        .target(name: "DriftModels", dependencies: ["DriftCore"]),
        .target(name: "DriftDetectors", dependencies: ["DriftCore", "DriftModels"]),
        // Charts as SVG and self-contained HTML reports, written by our own code.
        .target(name: "DriftCharts", dependencies: ["DriftCore"]),
        // The lab: one run (replay, battery, alarms, diagnosis, verdicts), sweeps, summaries, reports.
        .target(name: "DriftLab", dependencies: ["DriftCore", "DriftSim", "DriftModels", "DriftDetectors", "DriftCharts"]),
        // The thin command-line tool: parses arguments, calls the libraries, maps errors to exit codes.
        .executableTarget(name: "driftlab", dependencies: ["DriftCore", "DriftSim", "DriftModels", "DriftDetectors", "DriftCharts", "DriftLab"]),

        .testTarget(name: "DriftCoreTests", dependencies: ["DriftCore"]),
        .testTarget(name: "DriftSimTests", dependencies: ["DriftSim", "DriftCore"]),
        .testTarget(name: "DriftModelsTests", dependencies: ["DriftModels", "DriftCore"]),
        .testTarget(name: "DriftDetectorsTests", dependencies: ["DriftDetectors", "DriftModels", "DriftSim", "DriftCore"]),
        .testTarget(name: "DriftChartsTests", dependencies: ["DriftCharts", "DriftCore"]),
        .testTarget(name: "DriftLabTests", dependencies: ["DriftLab", "DriftSim", "DriftModels", "DriftDetectors", "DriftCore"]),
        .testTarget(name: "DriftLabCLITests", dependencies: ["driftlab"]),
    ]
)
