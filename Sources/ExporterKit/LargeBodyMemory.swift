import CProcess
import Synchronization

/// Memory that large bodies pass through (an upstream's answer, a large exposition), given back to the system once
/// they are done with.
///
/// glibc maps a block of 128 KiB or more on its own and unmaps it when freed, but the first time such a block is
/// freed it raises that threshold to the block's size (up to 32 MiB): every later body-sized buffer then comes from
/// the heap, whose freed pages stay resident. Measured with `scripts/bench_bodies.sh` before this: 20 polls of a
/// 4.6 MB providers list left the exporter 26 MiB larger, 20 of a 10,000-lease list 29 MiB. So the threshold is fixed
/// (`fixMmapThreshold`), and a poll that received a large body, or a render that made one, trims the heap after it
/// (`trimIfLargeBody`): what decoding or rendering freed in the middle of the heap is returned too, not only what sits
/// at its top.
public enum LargeBodyMemory {
    /// Blocks this large and larger are mapped on their own, whatever was freed before.
    public static let mmapThreshold: Int32 = 256 << 10
    /// A body at least this large (an upstream's decoded bytes, an exposition) is followed by a trim of the heap.
    public static let trimAfterBodyBytes = 256 << 10

    private static let largeBodySeen = Atomic<Bool>(false)

    /// Fixes malloc's mmap threshold at `mmapThreshold`, unless `MALLOC_MMAP_THRESHOLD_` in the environment already
    /// sets it (glibc reads it itself). Call it first thing in `main`.
    public static func fixMmapThreshold(environment: [String: String]) {
        guard environment["MALLOC_MMAP_THRESHOLD_"] == nil else { return }
        _ = cprocess_fix_mmap_threshold(mmapThreshold)
    }

    /// Notes a body as it arrives or is made; a large one asks for a trim.
    static func noteBody(bytes bodyBytes: Int) {
        if bodyBytes >= trimAfterBodyBytes { largeBodySeen.store(true, ordering: .relaxed) }
    }

    /// Once a body is done with (a poll's decoded and freed, a render's published): trims the heap if a large body
    /// was noted since the last trim. Sub-millisecond on the exporter's few-MiB heap, and only after large bodies.
    static func trimIfLargeBody() {
        if largeBodySeen.exchange(false, ordering: .relaxed) { _ = cprocess_trim_malloc() }
    }
}
