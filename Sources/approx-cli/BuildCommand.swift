import ArgumentParser
import ApproxRates

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a network of the theory to a file.",
        discussion: """
        Gadgets: tooth (Yarotsky's g), sawtooth (g_s, --s), squaring (f_m, --m), multiply \
        (x*y on |x|,|y| <= --bound with f_m, --m), partition (the N+1 trapezoids psi(3Nx - 3m), \
        --cells). For a target (--target, --smoothness, --dim as in `rate`): interpolation \
        (--cells N) and taylor (--cells N, --degree, --squaring-depth).

        Examples:
          approx-cli build squaring --m 20 -o sq20.json
          approx-cli build multiply --m 12 --bound 2 -o mul.json
          approx-cli build interpolation --target power --smoothness 0.5 --cells 64 -o interp.json
          approx-cli build taylor --target smooth-sine --dim 2 --cells 4 --degree 1 -o taylor.json
        """
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case tooth, sawtooth, squaring, multiply, partition, interpolation, taylor, deep
    }

    @Argument(help: "tooth, sawtooth, squaring, multiply, partition, interpolation, taylor or deep.")
    var kind: Kind

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

    @Option(name: .long, help: "Squaring depth of taylor's products (default ceil((degree+1)/2 log2 N) + 2).")
    var squaringDepth: Int?

    @Option(name: .long, help: ArgumentHelp("Unit of taylor and deep: relu, or relu^k (k = 2...8; taylor: B-spline partition of unity, exact products; deep: every ReLU as k relu^k units).", valueName: "name"))
    var activation: String = "relu"

    @OptionGroup var targetOptions: TargetOptions

    @Option(name: [.short, .long], help: "Output file (default: standard output).")
    var output: String?

    func validate() throws {
        if kind == .sawtooth, !(1...10_000).contains(s) { throw ValidationError("--s \(s): allowed 1 to 10000") }
        if kind == .squaring || kind == .multiply, !(1...500).contains(m) { throw ValidationError("--m \(m): allowed 1 to 500") }
        if let m = fine, !(1...100_000).contains(m) { throw ValidationError("--fine \(m): allowed 1 to 100000") }
        if [.partition, .interpolation, .taylor, .deep].contains(kind), !(1...1_000_000).contains(cells) {
            throw ValidationError("--cells \(cells): allowed 1 to 1000000")
        }
        if kind == .multiply, !(bound.isFinite && bound > 0) { throw ValidationError("--bound \(bound): give a finite M > 0") }
    }

    func run() throws {
        let net: Network
        switch kind {
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
        case .deep:
            let target = try targetOptions.make()
            let unit: Activation
            do { unit = try Activation(name: activation) } catch { throw CLIError("--activation \(activation): unknown: use relu or relu^k (k = 2...8)") }
            do {
                let relu = target.dimension == 2 ? try SnakeExtraction.network(target, cells: cells, fine: fine ?? cells)
                                                 : try BitExtraction.network(target, cells: cells, fine: fine ?? cells)
                if case .deep(_, let k) = try ConstructionKind.named("deep", degree: nil, smoothness: target.smoothness, activation: unit), k >= 2 {
                    let window = ReLUByPower.window(forPrecision: relu.weightPrecision, power: k)
                    net = try ReLUByPower.network(relu, power: k, windowExponent: window.exponent, precision: window.precision)
                } else {
                    net = relu
                }
            }
            catch let e as ConstructionError { throw CLIError("deep: \(flagged(e))") }
        case .interpolation, .taylor:
            let target = try targetOptions.make()
            do {
                let unit: Activation
                do { unit = try Activation(name: activation) } catch { throw CLIError("--activation \(activation): unknown: use relu or relu^k (k = 2...8)") }
                let construction = try ConstructionKind.named(kind.rawValue, degree: degree, smoothness: target.smoothness, activation: unit)
                if case .taylor(let n, 1) = construction {
                    net = try TaylorPartition.network(target, cells: cells, degree: n, squaringDepth: squaringDepth,
                                                      precision: construction.precision(cells: cells, smoothness: target.smoothness))
                } else {
                    net = try construction.build(target, cells: cells)
                }
            } catch let e as ConstructionError { throw CLIError("\(kind.rawValue): \(flagged(e))") }
        }
        if let path = output {
            try NetworkFile.save(net, to: path)
            printError("wrote \(path): W_all = \(net.counts.weightsAll), depth = \(net.counts.depth)")
        } else {
            print(NetworkFile.encode(net), terminator: "")
        }
    }
}
