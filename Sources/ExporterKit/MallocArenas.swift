import CProcess

/// How many malloc arenas the process's threads share.
public enum MallocArenas {
    /// At most `count` arenas, unless `MALLOC_ARENA_MAX` in the environment already says how many (glibc reads it
    /// itself). Call it first thing in `main`, before any thread starts.
    ///
    /// glibc gives each thread that allocates an arena of its own, up to 8 per core, and each arena keeps its own free
    /// pages. An exporter's threads (HTTP loops, upstream-client threads, the cooperative pool) allocate little and
    /// rarely at the same moment: one shared arena holds less memory for the same work.
    public static func limit(to count: Int32, environment: [String: String]) {
        guard environment["MALLOC_ARENA_MAX"] == nil else { return }
        _ = cprocess_limit_malloc_arenas(count)
    }
}
