import Foundation
import PrecisionModule

/// What the construction that built a network knows about it, as typed values: which
/// construction, its grid sizes, the half-width of its cut-off zones, the bits of its packed
/// weights. The measurement's search hints are derived from these (never from the free-form
/// ``Network/metadata``), the rate rows take N, M and the bits per weight from them, and network
/// files carry them as the `"construction"` object, decoded strictly: an unknown or misspelt key
/// is an error naming it, not a silent fallback to the default search.
public struct ConstructionFacts: Codable, Sendable, Equatable {
    /// The name of the construction that built the network: a registry name (a new
    /// construction brings its own name, no case to add here) or a gadget's. A name is lowercase
    /// letters, digits and hyphens; whether it names a known construction is the constructions
    /// floor's to say (``ConstructionRegistry/isKnown(_:)``).
    public struct Kind: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
        /// The name.
        public let rawValue: String
        /// The kind named `rawValue`.
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        /// Whether `name` has the form of a kind: a lowercase letter, then lowercase letters,
        /// digits and hyphens.
        public static func isWellFormed(_ name: String) -> Bool {
            guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
            return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        }
        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            let name = try c.decode(String.self)
            guard Kind.isWellFormed(name) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "kind '\(name)' is not a construction name (lowercase letters, digits and hyphens)")
            }
            rawValue = name
        }
        public func encode(to encoder: Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(rawValue) }

        public static let tooth = Kind(rawValue: "tooth"), sawtooth = Kind(rawValue: "sawtooth")
        public static let squaring = Kind(rawValue: "squaring"), multiply = Kind(rawValue: "multiply")
        public static let partition = Kind(rawValue: "partition"), interpolation = Kind(rawValue: "interpolation")
        public static let taylor = Kind(rawValue: "taylor"), deep = Kind(rawValue: "deep"), fixedWidth = Kind(rawValue: "fixed-width")
        public static let sineLookup = Kind(rawValue: "sine-lookup"), sineShattering = Kind(rawValue: "sine-shattering")
    }

    /// The partition of unity of a Taylor network.
    public enum Partition: String, Codable, Sendable {
        /// Trapezoids of ReLUs (``TaylorPartition``).
        case trapezoid
        /// B-splines of ReLU^k units (``SplineTaylorPartition``).
        case bSpline = "B-spline"
    }

    /// The construction.
    public var kind: Kind
    /// N: grid cells per axis (interpolation, Taylor, the coarse cells of the deep constructions).
    public var cells: Int?
    /// M: fine cells per coarse cell (deep and fixed-width).
    public var fineCells: Int?
    /// δ: the half-width of the cut-off zones around the coarse nodes (deep and fixed-width), a
    /// length on [0, 1] rounded to float64.
    public var zoneHalfWidth: Double?
    /// Bits of the longest packed weight (the digit codes of the deep constructions).
    public var bitsPerWeight: Int?
    /// K: cells of a sine lookup.
    public var lookupCells: Int?
    /// The partition of unity of a Taylor network.
    public var partition: Partition?
    /// k when every ReLU was built as ReLU^k units.
    public var reluPower: Int?
    /// Bits of each sine unit's result that the construction's error analysis needs, with its
    /// margin (a sine lookup: the table's B bits, the product gadget's 2^139 amplification and 128
    /// bits to spare). The measurement rounds sine results to this and checks at twice it; nil:
    /// sine results at the full working precision.
    public var sineResultBits: Int?

    /// Facts of `kind` with the given values (nil where they do not apply).
    public init(kind: Kind, cells: Int? = nil, fineCells: Int? = nil, zoneHalfWidth: Double? = nil, bitsPerWeight: Int? = nil,
                lookupCells: Int? = nil, partition: Partition? = nil, reluPower: Int? = nil, sineResultBits: Int? = nil) {
        self.kind = kind; self.cells = cells; self.fineCells = fineCells; self.zoneHalfWidth = zoneHalfWidth
        self.bitsPerWeight = bitsPerWeight; self.lookupCells = lookupCells; self.partition = partition; self.reluPower = reluPower
        self.sineResultBits = sineResultBits
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, cells = "N", fineCells = "M", zoneHalfWidth = "zone_half_width", bitsPerWeight = "bits_per_weight"
        case lookupCells = "K", partition, reluPower = "relu_power", sineResultBits = "sine_result_bits"
    }

    /// Decodes strictly: every key must be one of ``CodingKeys``, and the values must have their
    /// types (N, M, K, bits and k positive whole numbers, δ a positive finite number, the sine
    /// result bits a valid precision).
    public init(from decoder: Decoder) throws {
        let any = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(CodingKeys.allCases.map(\.stringValue))
        if let unknown = any.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "unknown key '\(unknown)' in the construction facts: use \(CodingKeys.allCases.map(\.stringValue).joined(separator: ", "))"))
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        func positive(_ key: CodingKeys) throws -> Int? {
            guard let v = try c.decodeIfPresent(Int.self, forKey: key) else { return nil }
            guard v >= 1 else { throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\(key.stringValue) is \(v); it must be at least 1") }
            return v
        }
        cells = try positive(.cells); fineCells = try positive(.fineCells); bitsPerWeight = try positive(.bitsPerWeight)
        lookupCells = try positive(.lookupCells); reluPower = try positive(.reluPower)
        sineResultBits = try positive(.sineResultBits)
        if let q = sineResultBits, !Precision.validRange.contains(q) {
            throw DecodingError.dataCorruptedError(forKey: .sineResultBits, in: c, debugDescription: "sine_result_bits is \(q); it must be a precision MPFR accepts, \(Precision.minimumBits) to \(Precision.maximumBits) bits")
        }
        zoneHalfWidth = try c.decodeIfPresent(Double.self, forKey: .zoneHalfWidth)
        if let z = zoneHalfWidth, !(z.isFinite && z > 0) {
            throw DecodingError.dataCorruptedError(forKey: .zoneHalfWidth, in: c, debugDescription: "zone_half_width is \(z); it must be a positive number")
        }
        if let p = try c.decodeIfPresent(String.self, forKey: .partition) {
            guard let value = Partition(rawValue: p) else {
                throw DecodingError.dataCorruptedError(forKey: .partition, in: c, debugDescription: "partition '\(p)' is not known: use trapezoid or B-spline")
            }
            partition = value
        } else { partition = nil }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
