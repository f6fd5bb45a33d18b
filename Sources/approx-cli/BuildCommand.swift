import Foundation
import ArgumentParser
import ApproxRates

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a network of the theory to a file.",
        discussion: """
        Gadgets: tooth (Yarotsky's g), sawtooth (g_s, --s), squaring (f_m, --m), multiply \
        (x*y on |x|,|y| <= --bound with f_m, --m), partition (the N+1 trapezoids psi(3Nx - 3m), \
        --cells). For a target (--target, --smoothness, --dim as in `rate`), every construction of \
        `rate --construction` (--cells N, and --degree, --alpha, --activation where it takes them); \
        taylor also takes --squaring-depth and deep --fine M (default M = N).

        Examples:
          approx-cli build squaring --m 20 -o sq20.json
          approx-cli build multiply --m 12 --bound 2 -o mul.json
          approx-cli build interpolation --target power --smoothness 0.5 --cells 64 -o interp.json
          approx-cli build taylor --target smooth-sine --dim 2 --cells 4 --degree 1 -o taylor.json
        """
    )

    /// The gadgets, which are built without a target.
    enum Gadget: String, CaseIterable {
        case tooth, sawtooth, squaring, multiply, partition
    }

    @Argument(help: ArgumentHelp("A gadget (tooth, sawtooth, squaring, multiply, partition) or a construction (\(ConstructionRegistry.names.joined(separator: ", "))).", valueName: "kind"))
    var kind: String

    @Option(name: .long, help: "Number of teeth compositions for sawtooth (s >= 1).")
    var s: Int = 3

    @Option(name: .long, help: "Levels of the squaring network f_m (1 <= m <= 500).")
    var m: Int = 10

    @Option(name: .long, help: "Bound M of the multiplication gadget's inputs (a power of two keeps weights exact).")
    var bound: Double = 1

    @Option(name: .long, help: "Grid cells N per axis (partition, interpolation, taylor).")
    var cells: Int = 16

    @Option(name: .long, help: "Fine cells M per coarse cell of deep (default N).")
    var fine: Int?

    @Option(name: .long, help: "Polynomial degree of taylor (default ceil(r) - 1).")
    var degree: Int?

    @Option(name: .long, help: "Depth exponent of deep and fixed-width (M = N^alpha, 0 < alpha <= 1; deep without it: M = --fine or N).")
    var alpha: Double?

    @Option(name: .customLong("digit-order"), help: "Digit order of the 1-D deep construction: 1, 2 or 3 (default floor(r) + 1, at most 3: 1 at r = 1/2, 2 at r = 1, 3 at r = 2).")
    var digitOrder: Int?

    @Option(name: .customLong("fine-ratio"), help: ArgumentHelp("c in M = c N^alpha of the deep construction (default: the balanced ratio for alpha = 1 in 1-D, 0.35/0.29/0.18 for digit orders 1/2/3; 1 otherwise).", valueName: "c"))
    var fineRatio: Double?
    @Option(name: .customLong("digit-bound"), help: ArgumentHelp("K of the deep construction's digits. 2-D: the largest first-difference digit, quantum = (largest first difference of the residual)/K (default 3; 1 is the first wave's snake). 1-D, digits of order 2 or 3: quantum = (largest k-th difference)/K (default 1), digits up to K + 2^k/2.", valueName: "K"))
    var digitBound: Int?

    @Option(name: .long, help: "Squaring depth of taylor's products (default ceil((degree+1)/2 log2 N) + 2).")
    var squaringDepth: Int?

    @Option(name: .long, help: ArgumentHelp("Unit of taylor and deep: relu, or relu^k (k = 2...8; taylor: B-spline partition of unity, exact products; deep: every ReLU as k relu^k units).", valueName: "name"))
    var activation: String = "relu"

    @OptionGroup var targetOptions: TargetOptions

    @Option(name: [.short, .long], help: "Output file (default: standard output).")
    var output: String?

    func validate() throws {
        let gadget = Gadget(rawValue: kind)
        guard gadget != nil || ConstructionRegistry.type(named: kind) != nil else {
            throw ValidationError("'\(kind)' is not a gadget or a construction: use \((Gadget.allCases.map(\.rawValue) + ConstructionRegistry.names).joined(separator: ", "))")
        }
        if gadget == .sawtooth, !(1...10_000).contains(s) { throw ValidationError("--s \(s): allowed 1 to 10000") }
        if gadget == .squaring || gadget == .multiply, !(1...500).contains(m) { throw ValidationError("--m \(m): allowed 1 to 500") }
        if let m = fine, !(1...100_000).contains(m) { throw ValidationError("--fine \(m): allowed 1 to 100000") }
        if gadget == nil || gadget == .partition, !(1...1_000_000).contains(cells) {
            throw ValidationError("--cells \(cells): allowed 1 to 1000000")
        }
        if gadget == .multiply, !(bound.isFinite && bound > 0) { throw ValidationError("--bound \(bound): give a finite M > 0") }
    }

    func run() throws {
        let net: Network
        guard let gadget = Gadget(rawValue: kind) else {
            net = try construction()
            return try write(net)
        }
        switch gadget {
        case .tooth: net = Sawtooth.tooth()
        case .sawtooth: net = Sawtooth.sawtooth(s)
        case .squaring: net = Squaring.network(m: m)
        case .multiply:
            let b = CircuitBuilder(inputDimension: 2, precision: try Precision(bits: 64))
            net = try b.network(outputs: [b.multiply(b.input(0), b.input(1), bound: bound, m: m)],
                                metadata: ["construction": "multiply", "m": "\(m)", "M": "\(bound)"],
                                construction: ConstructionFacts(kind: .multiply))
        case .partition:
            let b = CircuitBuilder(inputDimension: 1, precision: try Precision(bits: 64))
            let outputs = (0...cells).map { j in b.trapezoid(b.combine([(Double(3 * cells), b.input(0))], constant: -Double(3 * j))) }
            net = try b.network(outputs: outputs, metadata: ["construction": "partition", "N": "\(cells)"],
                                construction: ConstructionFacts(kind: .partition, cells: cells))
        }
        try write(net)
    }

    /// The network of the registry's construction `kind` for the target.
    func construction() throws -> Network {
        let target = try targetOptions.make()
        let unit: Activation
        do { unit = try Activation(name: activation) } catch { throw CLIError("--activation \(activation): unknown: use relu or relu^k (k = 2...8)") }
        do {
            let construction = try ConstructionRegistry.named(kind, degree: degree, smoothness: target.smoothness, alpha: alpha, activation: unit, digitOrder: digitOrder, fineRatio: fineRatio, digitBound: digitBound)
            // Every construction holds at least one weight per grid node, (N + 1)^d, and the deep
            // one a bit table of N^d·M entries: refuse what the weights cap cannot hold before building.
            let nodes = pow(Double(cells + 1), Double(target.dimension))
            let deep = construction as? DeepConstruction
            // M given by --fine, else the construction's c·N^alpha.
            let fineCells = deep.map { fine ?? $0.fine(cells, smoothness: target.smoothness, dimension: target.dimension) } ?? 1
            try ResourceLimits.check(nodes * Double(fineCells), "--cells \(cells)\(fineCells > 1 ? " with M = \(fineCells) fine cells" : "") needs at least", against: ResourceLimits.weights)
            if let deep {
                try deep.checkBound(dimension: target.dimension, smoothness: target.smoothness)
                let m = fineCells
                let relu = target.dimension == 2 ? try SnakeExtraction.network(target, cells: cells, fine: m, order: deep.order(smoothness: target.smoothness, dimension: 2), bound: deep.bound)
                                                 : try BitExtraction.network(target, cells: cells, fine: m, order: deep.digitOrder, divisor: deep.quantumDivisor)
                guard deep.power >= 2 else { return relu }
                let window = ReLUByPower.window(forPrecision: relu.weightPrecision, power: deep.power)
                return try ReLUByPower.network(relu, power: deep.power, windowExponent: window.exponent, precision: window.precision)
            }
            if let taylor = construction as? TaylorConstruction, taylor.power == 1, let depth = squaringDepth {
                return try TaylorPartition.network(target, cells: cells, degree: taylor.degree, squaringDepth: depth,
                                                   precision: construction.precision(cells: cells, smoothness: target.smoothness, dimension: target.dimension))
            }
            return try construction.build(target, cells: cells)
        } catch let e as ConstructionError { throw CLIError("\(kind): \(flagged(e))") }
    }

    func write(_ net: Network) throws {
        if let path = output {
            try NetworkFile.save(net, to: path)
            printError("wrote \(path): W_all = \(net.counts.weightsAll), depth = \(net.counts.depth)")
        } else {
            print(NetworkFile.encode(net), terminator: "")
        }
    }
}
