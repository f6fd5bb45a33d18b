// swift-tools-version: 6.1
// ApproxRates: approximation rates of deep networks, checked in MPFR.
import PackageDescription

let package = Package(
    name: "ApproxRates",
    products: [
        .library(name: "ApproxRates", targets: ["ApproxRates"]),
        .executable(name: "approx-cli", targets: ["approx-cli"]),
        .executable(name: "approx-fuzz", targets: ["approx-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // MPFR and GMP from the system (Debian: libmpfr-dev, libgmp-dev), found through pkg-config,
        // and Arb's ball arithmetic (Debian: libflint-arb-dev; no pkg-config file, so the module
        // map names its libraries). One module: Arb's headers include MPFR's, and two modules
        // holding the same C declarations hide them from each other.
        .systemLibrary(
            name: "CMPFR",
            pkgConfig: "mpfr",
            providers: [.apt(["libmpfr-dev", "libgmp-dev", "libflint-arb-dev"]), .brew(["mpfr", "flint"])]
        ),
        // CBLAS from OpenBLAS (Debian: libopenblas-dev): the float64 dense path.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]
        ),
        // Elementwise float64 kernels of the training engines (tanh, its derivative, AdamW), in C so
        // that they are compiled for AVX-512, AVX2 and baseline x86-64 and chosen at run time
        // (target_clones); contraction off, so every clone gives the same bits.
        .target(name: "CKernels", path: "Sources/CKernels",
                cSettings: [.unsafeFlags(["-fno-math-errno", "-ffp-contract=off", "-O3"])]),
        // Fixed-point evaluation over GMP's mpn layer with a per-point error certificate, and the
        // generic MPFR loop the benchmark compares it with (docs/evaluation.md).
        .target(name: "CFixedPoint", path: "Sources/CFixedPoint",
                cSettings: [.unsafeFlags(["-O2", "-g"])],
                linkerSettings: [.linkedLibrary("mpfr"), .linkedLibrary("gmp")]),
        // The library, one target per floor (docs/architecture.md). A floor imports only the
        // floors below it, so the compiler keeps the dependency rule; `ApproxRates` re-exports
        // them all and is the one module users import.
        .target(name: "PrecisionModule", dependencies: ["CMPFR", "CBLAS"], path: "Sources/ApproxRates/Precision"),
        .target(name: "FileIOModule", path: "Sources/ApproxRates/FileIO"),
        .target(name: "NetworksModule", dependencies: ["PrecisionModule", "FileIOModule", "CMPFR", "CBLAS", "CFixedPoint"], path: "Sources/ApproxRates/Networks"),
        .target(name: "TargetsModule", dependencies: ["PrecisionModule", "CMPFR"], path: "Sources/ApproxRates/Targets"),
        .target(name: "MeasurementModule", dependencies: ["PrecisionModule", "NetworksModule", "TargetsModule", "CMPFR"],
                path: "Sources/ApproxRates/Measurement"),
        .target(name: "ConstructionsModule", dependencies: ["PrecisionModule", "NetworksModule", "TargetsModule", "MeasurementModule", "CMPFR"],
                path: "Sources/ApproxRates/Constructions"),
        .target(name: "RatesModule",
                dependencies: ["PrecisionModule", "FileIOModule", "NetworksModule", "TargetsModule", "MeasurementModule", "ConstructionsModule"],
                path: "Sources/ApproxRates/Rates"),
        .target(name: "DynamicsModule", dependencies: ["PrecisionModule", "FileIOModule", "CBLAS", "CKernels"], path: "Sources/ApproxRates/Dynamics"),
        .target(name: "ExportModule", dependencies: ["PrecisionModule", "FileIOModule", "RatesModule", "DynamicsModule"], path: "Sources/ApproxRates/Export"),
        .target(name: "PlotsModule", dependencies: ["PrecisionModule", "FileIOModule", "ConstructionsModule", "RatesModule", "DynamicsModule"], path: "Sources/ApproxRates/Plots"),
        .target(
            name: "ApproxRates",
            dependencies: ["PrecisionModule", "FileIOModule", "NetworksModule", "TargetsModule", "MeasurementModule",
                           "ConstructionsModule", "RatesModule", "DynamicsModule", "ExportModule", "PlotsModule"],
            path: "Sources/ApproxRates/Umbrella"
        ),
        .executableTarget(
            name: "approx-cli",
            dependencies: [
                "ApproxRates",
                "CFixedPoint",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The black-box fuzzer of the CLI (docs/fuzzing.md): its own oracles (float64 and 80-bit
        // evaluation, its own network reader); from the library only the seeded generator.
        .target(name: "FuzzHarness", dependencies: ["PrecisionModule"]),
        .executableTarget(
            name: "approx-fuzz",
            dependencies: ["FuzzHarness", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "ApproxRatesTests",
            dependencies: [
                "ApproxRates",
                // The floors whose internals some tests reach with @testable import.
                "MeasurementModule", "RatesModule", "DynamicsModule",
                "CMPFR",
                "FuzzHarness",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
    ]
)
