/// The linear pieces of a one-hidden-layer network of one input, by a sweep over the sorted
/// knots: O(n log n) for n hidden units, where the general ``Network/linearPieces(from:to:precision:)``
/// costs (pieces) × (weights). Piece k is [knots[k], knots[k+1]] with net(x) = slope·x + intercept
/// there, slope and intercept accumulated at `precision` (the caller picks enough bits above the
/// network's to make the accumulated rounding negligible: n · 2^(−precision) relative).
public struct ShallowPieces: Sendable {
    /// The piece ends, increasing, from the interval's lower end to its upper end.
    public let knots: [BigFloat]
    /// Slope of the network on each piece.
    public let slopes: [BigFloat]
    /// Intercept of the network on each piece.
    public let intercepts: [BigFloat]
    /// Number of pieces.
    public var count: Int { slopes.count }
}

extension Network {
    /// True for networks of one input and one output with one hidden layer of identity or ReLU
    /// units and an identity output unit: the form ``shallowPieces(from:to:precision:)`` takes.
    public var isShallowPiecewiseLinear: Bool {
        inputDimension == 1 && outputDimension == 1 && layers.count == 2 && isPiecewiseLinear
            && layers[1].activations == [.identity]
    }

    /// The exact pieces of a ``isShallowPiecewiseLinear`` network on [lower, upper]; throws for
    /// other networks.
    public func shallowPieces(from lower: BigFloat, to upper: BigFloat, precision: Precision) throws -> ShallowPieces {
        guard isShallowPiecewiseLinear else {
            throw NetworkError.unsupported("the sweep needs one input, one hidden layer of relu/identity units and one identity output")
        }
        guard lower < upper else { throw NetworkError.unsupported("the interval [\(lower), \(upper)] is empty") }
        let hidden = layers[0], out = layers[1]
        var v = Array(repeating: BigFloat(0, precision: precision), count: hidden.outputCount)
        for (j, w) in out.row(0) { v[j] = BigFloat(w, precision: precision) }
        var slope = BigFloat(0, precision: precision)
        var intercept = BigFloat(out.bias[0], precision: precision)
        var events: [(knot: BigFloat, unit: Int, on: Bool)] = []
        for i in 0..<hidden.outputCount where !v[i].isZero {
            let w = hidden.row(i).first?.weight ?? BigFloat(0, precision: precision)
            let b = hidden.bias[i]
            let vw = v[i].multiplied(by: w, precision: precision), vb = v[i].multiplied(by: b, precision: precision)
            if hidden.activations[i] == .identity || w.isZero {
                if hidden.activations[i] == .identity || b.signum > 0 {
                    slope = slope.adding(vw, precision: precision); intercept = intercept.adding(vb, precision: precision)
                }
                continue
            }
            let knot = b.negated.divided(by: w, precision: precision)
            let activeRightOfLower = w.signum > 0 ? !(lower < knot) : lower < knot
            if activeRightOfLower { slope = slope.adding(vw, precision: precision); intercept = intercept.adding(vb, precision: precision) }
            if lower < knot && knot < upper { events.append((knot, i, w.signum > 0)) }
        }
        events.sort { $0.knot < $1.knot }
        var knots = [BigFloat(lower, precision: precision)], slopes: [BigFloat] = [], intercepts: [BigFloat] = []
        var k = 0
        while k < events.count {
            let x = events[k].knot
            slopes.append(slope); intercepts.append(intercept); knots.append(x)
            while k < events.count && events[k].knot == x {
                let (_, i, on) = events[k]
                let w = hidden.row(i)[0].weight
                let vw = v[i].multiplied(by: w, precision: precision), vb = v[i].multiplied(by: hidden.bias[i], precision: precision)
                if on { slope = slope.adding(vw, precision: precision); intercept = intercept.adding(vb, precision: precision) }
                else { slope = slope.subtracting(vw, precision: precision); intercept = intercept.subtracting(vb, precision: precision) }
                k += 1
            }
        }
        slopes.append(slope); intercepts.append(intercept); knots.append(BigFloat(upper, precision: precision))
        return ShallowPieces(knots: knots, slopes: slopes, intercepts: intercepts)
    }
}
