// swift-tools-version: 6.1
// ApproxRates: approximation rates of deep networks, checked in MPFR.
import PackageDescription

let package = Package(
    name: "ApproxRates",
    products: [
        .library(name: "ApproxRates", targets: ["ApproxRates"]),
        .executable(name: "approx-cli", targets: ["approx-cli"]),
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
        .target(
            name: "ApproxRates",
            dependencies: ["CMPFR", "CBLAS"]
        ),
        .executableTarget(
            name: "approx-cli",
            dependencies: [
                "ApproxRates",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "ApproxRatesTests",
            dependencies: [
                "ApproxRates",
                "CMPFR",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
    ]
)
