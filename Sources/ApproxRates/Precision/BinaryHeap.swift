/// The two moves of a binary heap kept in an array (element i's children at 2i + 1 and 2i + 2),
/// for the searches that keep their own arrays (the piece sweep's crossings, the certified
/// branch and bound's boxes). `first(a, b)` is true when a belongs nearer the top.
package enum BinaryHeap {
    /// Appends `element` and moves it up to its place.
    @inlinable package static func push<T>(_ element: T, into heap: inout [T], first: (T, T) -> Bool) {
        heap.append(element)
        var i = heap.count - 1
        while i > 0 { let q = (i - 1) / 2; if first(heap[i], heap[q]) { heap.swapAt(i, q); i = q } else { break } }
    }

    /// Moves element i down to its place.
    @inlinable package static func siftDown<T>(_ heap: inout [T], from start: Int = 0, first: (T, T) -> Bool) {
        var i = start
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && first(heap[l], heap[m]) { m = l }
            if r < heap.count && first(heap[r], heap[m]) { m = r }
            if m == i { return }
            heap.swapAt(i, m); i = m
        }
    }

    /// Removes and returns the top element (the heap must not be empty).
    @inlinable package static func pop<T>(_ heap: inout [T], first: (T, T) -> Bool) -> T {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty { heap[0] = last; siftDown(&heap, first: first) }
        return top
    }
}
