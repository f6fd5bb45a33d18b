extension Precision {
    /// The margins, in bits, that the library adds to precisions it derives from the data. Each
    /// is a choice, not a theorem; naming them keeps every use of one choice the same.
    public enum Margin {
        /// Bits of output accuracy above what a construction's error needs: a precision plan is
        /// the bits its numbers must hold exactly plus these, so the evaluation's rounding sits
        /// about 2^-64 below the approximation error (the guard at twice the precision checks it).
        public static let output = 64
        /// Bits above weights + points for exact products: a weight of w bits times a point of
        /// p bits is exact at w + p bits; the sweeps, the certified balls and the guard's second
        /// evaluation work at w + p + this.
        public static let exactProduct = 64
        /// The certified search's box ends: 64 bits above its balls (``exactProduct``), so that
        /// splitting a box many times keeps exact, distinct ends.
        public static let boxEnds = 128
        /// Bits lost when a cell's code is selected (N ramps of slope 1/δ add log₂(N/δ) bits)
        /// or a digit code is built exactly: a few guard bits on top of the count.
        public static let selection = 8
        /// Headroom of exact sums of products: two networks composed (W₂W₁ and W₂b₁ + b₂) and the
        /// sine lookup's packed tables.
        public static let exactSums = 256
    }
}

/// The fixed seeds of the library: every random choice it makes is repeatable.
public enum DefaultSeed {
    /// The sampled search's probes (which points rank float64 against MPFR) and the rate fit's
    /// bootstrap resamples.
    public static let measurement: UInt64 = 0x5EED
    /// The teacher data of the dynamics experiments (the year of Kalra & Barkeshli's paper).
    public static let trainingData: UInt64 = 2023
    /// Mixed into a training run's seed for the random start vector of its sharpness probe, so
    /// that the probe and the initial weights draw from different streams.
    public static let sharpnessProbe: UInt64 = 0x5EED_57A7
}
