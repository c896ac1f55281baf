#if canImport(Glibc)
import Glibc
#endif

/// A detached POSIX thread running `body` (Foundation's `Thread`, which FoundationEssentials does not have).
enum OSThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    static func detach(_ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { context in
            Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        precondition(created == 0, "pthread_create failed: \(created)")
        pthread_detach(thread)
    }
}
