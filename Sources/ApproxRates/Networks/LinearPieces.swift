import CMPFR
import PrecisionModule
import FileIOModule

/// The linear pieces of a network with one input and identity/ReLU units on an interval:
/// on piece k, between `knots[k]` and `knots[k+1]`, output o equals
/// `slopes[k][o] * x + intercepts[k][o]` exactly (when ``coefficientsExact``).
///
/// Found by enumeration, not by sampling: layer by layer, every unit's pre-activation is an
/// affine function of x on each current piece; a ReLU unit splits a piece where its affine form
/// crosses zero inside it. Adjacent pieces with identical forms are merged at the end, so
/// `count` is the number of genuinely different linear pieces.
public struct LinearPieces: Sendable {
    /// The interval ends and the interior breakpoints, increasing: `count + 1` values.
    public let knots: [BigFloat]
    /// Slope of each output on each piece.
    public let slopes: [[BigFloat]]
    /// Intercept (value at x = 0) of each output on each piece.
    public let intercepts: [[BigFloat]]
    /// The working precision of the enumeration.
    public let precision: Precision
    /// True when no slope or intercept was rounded (then the pieces are the network's function
    /// exactly, given the stored weights).
    public let coefficientsExact: Bool
    /// True when every breakpoint (a quotient -c/s) is exact; otherwise each is correctly
    /// rounded to ``precision``.
    public let breakpointsExact: Bool

    /// Number of linear pieces.
    public var count: Int { slopes.count }

    /// The interior breakpoints (where the function's affine form changes).
    public var breakpoints: ArraySlice<BigFloat> { knots.dropFirst().dropLast() }
}

extension Network {
    /// Enumerates the linear pieces of this network on [lower, upper].
    ///
    /// Requires one input and identity or ReLU activations. `precision` defaults to one large
    /// enough for exact slopes and intercepts in most networks (the sum of the layers'
    /// precisions plus 16 bits per layer and 64 guard bits, at most 8192); the result says
    /// whether anything was rounded. Cost: (pieces) x (stored weights) per layer.
    public func linearPieces(from lower: BigFloat, to upper: BigFloat, precision: Precision? = nil) throws -> LinearPieces {
        guard inputDimension == 1 else { throw NetworkError.unsupported("linear pieces need a network with one input (this one has \(inputDimension))") }
        guard isPiecewiseLinear else { throw NetworkError.unsupported("linear pieces need identity and relu units only") }
        guard lower.isFinite, upper.isFinite, lower < upper else {
            throw NetworkError.unsupported("linear pieces need a finite interval with lower < upper (got [\(lower), \(upper)])")
        }
        let p = precision ?? Precision(uncheckedBits: Swift.min(8192, layers.reduce(64) { $0 + $1.precision.bits + 16 }))
        return PieceEnumerator(network: self, precision: p).run(lower, upper)
    }
}

/// The enumeration itself; one per call.
private final class PieceEnumerator {
    let network: Network
    let precision: Precision
    let weights: [MPFRArray]
    let biases: [MPFRArray]
    let scratch: MPFRArray
    var coefficientsExact = true
    var breakpointsExact = true

    /// A piece: its ends and the affine form (slope, intercept) of every current unit,
    /// stored as [s_0, c_0, s_1, c_1, ...].
    struct Piece { let lower: UnsafeMutablePointer<__mpfr_struct>; let upper: UnsafeMutablePointer<__mpfr_struct>; let forms: MPFRArray; let ends: MPFRArray }

    init(network: Network, precision: Precision) {
        self.network = network
        self.precision = precision
        weights = network.layers.map { MPFRArray($0.weights, precision: precision) }
        biases = network.layers.map { MPFRArray($0.bias, precision: precision) }
        scratch = MPFRArray(count: 4, precision: precision)
    }

    func note(_ ternary: Int32) { if ternary != 0 { coefficientsExact = false } }

    func makePiece(_ lo: UnsafePointer<__mpfr_struct>, _ hi: UnsafePointer<__mpfr_struct>, width: Int) -> Piece {
        let ends = MPFRArray(count: 2, precision: precision)
        cmpfr_set(ends[0], lo, MPFR_RNDN)
        cmpfr_set(ends[1], hi, MPFR_RNDN)
        return Piece(lower: ends[0], upper: ends[1], forms: MPFRArray(count: 2 * width, precision: precision), ends: ends)
    }

    func run(_ a: BigFloat, _ b: BigFloat) -> LinearPieces {
        let ends = MPFRArray([a, b], precision: precision)
        var first = makePiece(ends[0], ends[1], width: 1)
        mpfr_set_si(first.forms[0], 1, MPFR_RNDN)   // x = 1*x + 0
        mpfr_set_si(first.forms[1], 0, MPFR_RNDN)
        var pieces = [first]
        first = pieces[0]
        for (l, layer) in network.layers.enumerated() {
            var next: [Piece] = []
            let pre = MPFRArray(count: 2 * layer.outputCount, precision: precision)
            for piece in pieces {
                affine(layer, l, piece.forms, into: pre)
                // Zero crossings of the ReLU units strictly inside the piece.
                var cuts: [BigFloat] = []
                for i in 0..<layer.outputCount where layer.activations[i] == .relu && cmpfr_zero_p(pre[2 * i]) == 0 {
                    let x = scratch[0]
                    let t = mpfr_div(x, pre[2 * i + 1], pre[2 * i], MPFR_RNDN)
                    mpfr_neg(x, x, MPFR_RNDN)
                    if mpfr_greater_p(x, piece.lower) != 0 && mpfr_less_p(x, piece.upper) != 0 {
                        if t != 0 { breakpointsExact = false }
                        cuts.append(BigFloat(copying: x))
                    }
                }
                cuts.sort(by: <)
                let bounds = MPFRArray(count: cuts.count + 2, precision: precision)
                cmpfr_set(bounds[0], piece.lower, MPFR_RNDN)
                var n = 1
                for c in cuts where n == 1 || c != bounds.value(at: n - 1) {
                    c.copy(into: bounds[n]); n += 1
                }
                cmpfr_set(bounds[n], piece.upper, MPFR_RNDN)
                for k in 0..<n {
                    let sub = makePiece(bounds[k], bounds[k + 1], width: layer.outputCount)
                    let mid = scratch[1], v = scratch[2]
                    mpfr_add(mid, sub.lower, sub.upper, MPFR_RNDN)
                    mpfr_div_2ui(mid, mid, 1, MPFR_RNDN)
                    for i in 0..<layer.outputCount {
                        let s = pre[2 * i], c = pre[2 * i + 1]
                        var active = true
                        if layer.activations[i] == .relu {
                            mpfr_mul(v, s, mid, MPFR_RNDN)
                            mpfr_add(v, v, c, MPFR_RNDN)
                            active = cmpfr_sgn(v) > 0
                        }
                        if active {
                            cmpfr_set(sub.forms[2 * i], s, MPFR_RNDN)
                            cmpfr_set(sub.forms[2 * i + 1], c, MPFR_RNDN)
                        }   // else the form stays 0 x + 0
                    }
                    next.append(sub)
                }
            }
            pieces = next
        }
        return collect(pieces)
    }

    /// pre = W forms + b, on slopes and intercepts alike.
    func affine(_ layer: AffineLayer, _ l: Int, _ forms: MPFRArray, into pre: MPFRArray) {
        let t = scratch[3]
        let w = weights[l], b = biases[l]
        for i in 0..<layer.outputCount {
            let s = pre[2 * i], c = pre[2 * i + 1]
            cmpfr_set_zero_pos(s)
            cmpfr_set(c, b[i], MPFR_RNDN)
            for k in layer.rowStart[i]..<layer.rowStart[i + 1] {
                let j = layer.columns[k]
                note(mpfr_mul(t, w[k], forms[2 * j], MPFR_RNDN)); note(mpfr_add(s, s, t, MPFR_RNDN))
                note(mpfr_mul(t, w[k], forms[2 * j + 1], MPFR_RNDN)); note(mpfr_add(c, c, t, MPFR_RNDN))
            }
        }
    }

    /// Merges neighbours with identical forms and converts to values.
    func collect(_ pieces: [Piece]) -> LinearPieces {
        let m = network.outputDimension
        var knots: [BigFloat] = [BigFloat(copying: pieces[0].lower)]
        var slopes: [[BigFloat]] = [], intercepts: [[BigFloat]] = []
        var previous: Piece? = nil
        for piece in pieces {
            if let p = previous, (0..<(2 * m)).allSatisfy({ mpfr_equal_p(p.forms[$0], piece.forms[$0]) != 0 }) {
                knots[knots.count - 1] = BigFloat(copying: piece.upper)
                continue
            }
            slopes.append((0..<m).map { BigFloat(copying: piece.forms[2 * $0]) })
            intercepts.append((0..<m).map { BigFloat(copying: piece.forms[2 * $0 + 1]) })
            knots.append(BigFloat(copying: piece.upper))
            previous = piece
        }
        return LinearPieces(knots: knots, slopes: slopes, intercepts: intercepts, precision: precision,
                            coefficientsExact: coefficientsExact, breakpointsExact: breakpointsExact)
    }
}
