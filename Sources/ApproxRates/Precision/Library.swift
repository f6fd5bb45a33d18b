import CMPFR

/// Versions of the C libraries the arithmetic comes from (printed by `approx-cli --version` and
/// recorded in every table's provenance).
public enum Library {
    /// MPFR's version string, e.g. "4.2.0".
    public static var mpfrVersion: String { String(cString: cmpfr_version()) }
    /// GMP's version string, e.g. "6.2.1".
    public static var gmpVersion: String { String(cString: cmpfr_gmp_version()) }
}
