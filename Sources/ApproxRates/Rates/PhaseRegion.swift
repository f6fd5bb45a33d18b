import PrecisionModule
import FileIOModule
import NetworksModule
import TargetsModule
import MeasurementModule
import ConstructionsModule
/// The region of the (r/d, p) plane that a rate p falls in, for smoothness r in dimension d.
public enum PhaseRegion: String, Sendable, Codable, CaseIterable {
    /// p ≤ r/d: reachable with continuous weight selection (shallow networks suffice).
    case shallow
    /// r/d < p ≤ 2r/d: reachable only by deep networks with discontinuous weights (bit extraction).
    case deep
    /// p > 2r/d: impossible for any ReLU network on the class (VC-dimension bound).
    case aboveMax = "above 2r/d"

    /// The region of `p` for smoothness `r` in dimension `d`. A rate within `tolerance` (relative
    /// to r/d) of a boundary counts as on the lower side, so that a measured r/d within rounding is
    /// shallow and a measured 2r/d is deep.
    public static func of(_ p: Double, smoothness r: Double, dimension d: Int, tolerance: Double = 1e-9) -> PhaseRegion {
        let shallow = r / Double(d)
        if p <= shallow * (1 + tolerance) { return .shallow }
        if p <= 2 * shallow * (1 + tolerance) { return .deep }
        return .aboveMax
    }

    /// The region column's label for a rate above r/d measured at one depth (not "deep").
    public static let constantDepthLabel = "above r/d, constant depth"

    /// The verdict of a rate above r/d measured at one depth.
    public static let constantDepthVerdict =
        "above r/d at constant depth: not the deep phase (a finite-range offset in W, or a target easier than its class)"

    /// What a rate in this region means for a target of the given role, in words: above 2r/d on a
    /// class-hard target is a bug; on a trap or a single function it says the target is easier
    /// than its class. `constantDepth` says the fitted networks all had one depth: such a family
    /// cannot be in the deep phase (its VC dimension grows like W log W), so a rate above r/d is
    /// then a finite-range effect (W = aN^d + b) or a target easier than its class, and says so.
    public func verdict(for role: Target.Role, constantDepth: Bool = false) -> String {
        switch (self, role) {
        case (.shallow, _): "shallow: within r/d, continuous weight selection suffices"
        case (.deep, _) where constantDepth: Self.constantDepthVerdict
        case (.deep, _): "deep: beyond r/d, needs depth and discontinuous weights"
        case (.aboveMax, .classHard): "above 2r/d on a class-hard target: impossible for the class, so a bug (or a pre-asymptotic range)"
        case (.aboveMax, .trap): "above 2r/d on a trap target: the target is easy for deep networks, as expected"
        case (.aboveMax, .singleFunction), (.aboveMax, .formula): "above 2r/d: this target is easier than its smoothness class"
        }
    }
}
