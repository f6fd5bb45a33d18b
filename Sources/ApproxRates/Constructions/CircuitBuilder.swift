import PrecisionModule
import NetworksModule
import TargetsModule
import MeasurementModule
/// Builds a layered ``Network`` from a circuit: units are placed at the layer right after their
/// deepest input, and a value needed later is carried forward by identity units (one weight and
/// one bias per layer crossed, shared by everything that needs the same value at the same
/// depth). Constructions are written as ordinary code on ``Form``s, affine combinations of units,
/// and the builder does the layer bookkeeping that makes the counts W and L honest.
public final class CircuitBuilder {
    /// One unit: `layer` 0 is the input coordinates, layer l ≥ 1 hidden layer l.
    public struct Node: Hashable, Sendable {
        /// 0 for an input coordinate, l ≥ 1 for hidden layer l.
        public let layer: Int
        /// Position within its layer (the coordinate for layer 0).
        public let index: Int
    }

    /// An affine combination Σ c_i·node_i + constant of units (not itself a unit).
    public struct Form {
        /// Coefficient of each unit, at the builder's precision.
        public var terms: [Node: BigFloat]
        /// The constant term.
        public var constant: BigFloat
        /// The deepest layer it reads (0 for inputs or constants).
        public var depth: Int { terms.keys.map(\.layer).max() ?? 0 }
        /// The terms in a fixed order (layer, then index), so that networks are reproducible.
        var sortedTerms: [(key: Node, value: BigFloat)] {
            terms.sorted { ($0.key.layer, $0.key.index) < ($1.key.layer, $1.key.index) }
        }
    }

    struct Unit {
        var entries: [(Int, BigFloat)]
        var bias: BigFloat
        var activation: Activation
    }

    /// Input dimension of the network built.
    public let inputDimension: Int
    /// Precision of the numbers the builder writes (coefficients given as Double or Int are exact
    /// in it; sums of coefficients are rounded to it).
    public let precision: Precision
    /// The unit that carries a value across a layer: identity (the default), or ReLU for a
    /// network of ReLU units only, exact when every carried value is ≥ 0 (ReLU outputs, and
    /// inputs in [0, 1]^d).
    public var carryActivation: Activation = .identity
    var layers: [[Unit]] = [[]]   // layers[0] unused (inputs)
    var carried: [Node: [Int: Node]] = [:]

    /// A builder for functions of `inputDimension` coordinates, writing numbers at `precision`.
    public init(inputDimension: Int, precision: Precision) {
        self.inputDimension = inputDimension
        self.precision = precision
    }

    /// Coordinate i of the input, as a form.
    public func input(_ i: Int) -> Form { Form(terms: [Node(layer: 0, index: i): one], constant: zero) }

    /// The constant form c.
    public func constant(_ c: BigFloat) -> Form { Form(terms: [:], constant: BigFloat(c, precision: precision)) }

    var zero: BigFloat { BigFloat(0, precision: precision) }
    var one: BigFloat { BigFloat(1, precision: precision) }

    /// The number `value` at the builder's precision.
    public func number(_ value: Double) -> BigFloat { BigFloat(value, precision: precision) }

    /// Σ coefficient_k · form_k + constant.
    public func combine(_ parts: [(BigFloat, Form)], constant: BigFloat? = nil) -> Form {
        var terms: [Node: BigFloat] = [:]
        var c = constant.map { BigFloat($0, precision: precision) } ?? zero
        for (a, f) in parts where !a.isZero {
            for (node, w) in f.terms {
                let product = a.multiplied(by: w, precision: precision)
                terms[node] = terms[node].map { $0.adding(product, precision: precision) } ?? product
            }
            c = c.adding(a.multiplied(by: f.constant, precision: precision), precision: precision)
        }
        return Form(terms: terms.filter { !$0.value.isZero }, constant: c)
    }

    /// Convenience: Σ c_k · form_k + constant with Double coefficients (exact when dyadic).
    public func combine(_ parts: [(Double, Form)], constant: Double = 0) -> Form {
        combine(parts.map { (number($0.0), $0.1) }, constant: number(constant))
    }

    /// A new unit activation(form), placed one layer below the form's deepest input.
    public func unit(_ activation: Activation, _ form: Form) -> Form {
        let layer = form.depth + 1
        let node = addUnit(layer: layer, form: form, activation: activation)
        return Form(terms: [node: one], constant: zero)
    }

    /// σ(form).
    public func relu(_ form: Form) -> Form { unit(.relu, form) }

    /// `form` re-expressed on units of layer `layer` − 1 or less, carried to exactly that layer
    /// when `exact` (used for the output layer).
    func addUnit(layer: Int, form: Form, activation: Activation) -> Node {
        while layers.count <= layer { layers.append([]) }
        var entries: [(Int, BigFloat)] = []
        for (node, w) in form.sortedTerms {
            let source = carry(node, to: layer - 1)
            entries.append((source.index, w))
        }
        layers[layer].append(Unit(entries: entries, bias: form.constant, activation: activation))
        return Node(layer: layer, index: layers[layer].count - 1)
    }

    /// The node holding the value of `node` at layer `target` (identity units in between).
    func carry(_ node: Node, to target: Int) -> Node {
        if node.layer == target { return node }
        precondition(node.layer < target)
        if let done = carried[node]?[target] { return done }
        let previous = carry(node, to: target - 1)
        while layers.count <= target { layers.append([]) }
        layers[target].append(Unit(entries: [(previous.index, one)], bias: zero, activation: carryActivation))
        let result = Node(layer: target, index: layers[target].count - 1)
        carried[node, default: [:]][target] = result
        return result
    }

    /// The network computing `outputs` (one output coordinate per form), with an identity
    /// output layer right after the deepest unit.
    public func network(outputs: [Form], metadata: [String: String] = [:], construction: ConstructionFacts? = nil) throws -> Network {
        let depth = Swift.max(outputs.map(\.depth).max() ?? 0, layers.count - 1)
        var outputUnits: [Unit] = []
        for form in outputs {
            var entries: [(Int, BigFloat)] = []
            for (node, w) in form.sortedTerms { entries.append((carry(node, to: depth).index, w)) }
            outputUnits.append(Unit(entries: entries, bias: form.constant, activation: .identity))
        }
        var affine: [AffineLayer] = []
        var inputs = inputDimension
        for l in 1...Swift.max(depth, 0) + 1 {
            let units = l <= depth ? layers[l] : outputUnits
            guard !units.isEmpty else { throw NetworkError.unsupported("the circuit has an empty layer \(l)") }
            var entries: [(row: Int, column: Int, weight: BigFloat)] = []
            for (i, u) in units.enumerated() { for (j, w) in u.entries { entries.append((i, j, w)) } }
            affine.append(try AffineLayer(inputCount: inputs, outputCount: units.count, entries: entries,
                                          bias: units.map(\.bias), activations: units.map(\.activation), precision: precision))
            inputs = units.count
        }
        return try Network(inputDimension: inputDimension, layers: affine, metadata: metadata, construction: construction)
    }
}
