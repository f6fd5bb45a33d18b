import Foundation

/// Short fingerprints that tie a journal line to the settings that made it: 64-bit FNV-1a, in
/// hexadecimal. Not cryptographic; stable across runs and machines.
public enum Fingerprint {
    /// FNV-1a of `bytes`.
    public static func of<S: Sequence>(bytes: S) -> String where S.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return String(hash, radix: 16)
    }

    /// FNV-1a of `value` encoded as JSON with sorted keys (so the fingerprint does not depend on
    /// the order of a type's properties in memory).
    public static func of<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return of(bytes: (try? encoder.encode(value)) ?? Data())
    }
}
