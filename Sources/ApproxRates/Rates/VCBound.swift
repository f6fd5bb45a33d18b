import Foundation
import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule

/// The upper bounds on the VC dimension (and pseudo-dimension) of a network family with W
/// weights and L layers, up to constants, used as consistency checks on measured rates
/// (reference notes section 5 item 10): a net that approximates every f of F_{r,d} to ε
/// shatters about ε^(−d/r) points, so no construction can show ε^(−d/r) growing faster than its
/// family's bound.
public enum VCBound: String, Sendable, Codable, CaseIterable {
    /// Piecewise-linear units (ReLU): O(W L log W) (Bartlett–Harvey–Liaw–Mehrabian 2019), tight
    /// up to the log factor.
    case piecewiseLinear
    /// Piecewise-polynomial units of degree ≥ 2 (ReLU^k): O(W²) at any depth (Goldberg–Jerrum
    /// 1995) and at most quadratic in L (BHLM 2019; O(W L² log W) covers it, and for a fixed L
    /// it is O(W log W) as Bartlett–Maiorov–Meir 1998 show): the smaller of the two.
    case piecewisePolynomial
    /// Sine units: no finite bound (one sine weight shatters any number of points: the sine
    /// shattering identity), so no rate is ruled out.
    case unbounded

    /// The family of networks whose hidden units are `activation` (identity units aside).
    public init(_ activation: Activation) {
        switch activation {
        case .identity, .relu, .step: self = .piecewiseLinear
        case .reluPower: self = .piecewisePolynomial
        case .sine: self = .unbounded
        }
    }

    /// The bound's growth for W weights and L layers (constants dropped), nil when unbounded.
    public func growth(weights w: Double, depth l: Double) -> Double? {
        let logW = Swift.max(1, log2(w))
        switch self {
        case .piecewiseLinear: return w * l * logW
        case .piecewisePolynomial: return Swift.min(w * w, w * l * l * logW)
        case .unbounded: return nil
        }
    }

    /// The power of L in the bound (1 for ReLU, 2 for ReLU^k), which sets the depth law: a rate
    /// p needs L^power ≳ W^(pd/r − 1)/log W.
    public var depthPower: Double? {
        switch self { case .piecewiseLinear: 1; case .piecewisePolynomial: 2; case .unbounded: nil }
    }

    /// How the bound reads in a report.
    public var formula: String {
        switch self {
        case .piecewiseLinear: "W L log W"
        case .piecewisePolynomial: "min(W^2, W L^2 log W)"
        case .unbounded: "none (sine)"
        }
    }
}
