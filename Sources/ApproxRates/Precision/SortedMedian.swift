extension Array where Element == Double {
    /// The median of an ascending, non-empty array: its middle element for an odd count (exact),
    /// the mean of the middle two for an even count (one float64 rounding). The caller sorts:
    /// resampling loops sort a preallocated buffer in place and ask for its median here.
    public var medianOfSorted: Double {
        count % 2 == 1 ? self[count / 2] : (self[count / 2 - 1] + self[count / 2]) / 2
    }
}
