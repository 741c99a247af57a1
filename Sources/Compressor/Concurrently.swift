#if canImport(Glibc)
    import Glibc
#endif

/// The project's one way of using more than one core: dedicated POSIX threads, joined before
/// returning. `run(_:alongside:)` runs two independent pieces of one generator run at once;
/// `workers(count:_:)` runs the workers of a campaign, a mitigation table or a sensitivity
/// analysis. Dedicated threads rather than `DispatchQueue.concurrentPerform`: a campaign's
/// workers run for minutes, and holding the global queue's threads that long starves the
/// signal sources, timers and delayed work a command schedules there (a Ctrl-C would wait for
/// the campaign to end). Shared state between the pieces goes through `Mutex` or `Atomic`.
///
/// The generator's stages are sequential, but a piece of them depends on the selection alone,
/// not on the compression (v6.19+'s `kallsyms_seqs_of_names`): on a machine with two cores it
/// runs while the compression does, and the compression's rounds are split between the two
/// threads (`FastEngine.compress(_:alongside:)`, which starts its thread with `start`). Where
/// no thread can be started (or on a system without POSIX threads) everything runs on the
/// caller's thread, one piece after the other; the results are the same either way.
public enum Concurrently {
    /// Runs `background` on a second thread while `foreground` runs on this one; returns both
    /// results once both are done.
    ///
    /// `background` must not touch anything `foreground` mutates (both only read shared values here).
    static func run<Foreground, Background>(
        _ foreground: () throws -> Foreground,
        alongside background: @escaping () -> Background
    ) rethrows
        -> (Foreground, Background)
    {
        let result = ResultSlot<Background>()
        guard let thread = start({ result.value = background() }) else { return (try foreground(), background()) }
        let first: Foreground
        do {
            first = try foreground()
        } catch {
            thread.join()
            throw error
        }
        thread.join()
        return (first, result.value!)
    }

    /// A thread that `start` started; join it once.
    struct Started {
        #if canImport(Glibc)
            let thread: pthread_t

            func join() { pthread_join(thread, nil) }
        #else
            func join() {}
        #endif
    }

    /// Starts `body` on a thread of its own, or returns nil (having run nothing) where no
    /// thread can be started.
    static func start(_ body: @escaping () -> Void) -> Started? {
        #if canImport(Glibc)
            let work = Work(body)
            var thread = pthread_t()
            let started = pthread_create(
                &thread, nil,
                { context in
                    Unmanaged<Work>.fromOpaque(context!).takeRetainedValue().body()
                    return nil
                }, Unmanaged.passRetained(work).toOpaque())
            guard started == 0 else {
                Unmanaged.passUnretained(work).release()
                return nil
            }
            return Started(thread: thread)
        #else
            return nil
        #endif
    }

    /// Runs `body(worker)` for each worker in `0..<count` (at least one), each on a thread of
    /// its own with a 16 MiB stack, and returns when all have ended. Where a thread cannot be
    /// started, that worker runs on the caller's thread after the others were started.
    public static func workers(count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        #if canImport(Glibc)
            var threads: [pthread_t] = []
            var inline: [Int] = []
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            pthread_attr_setstacksize(&attributes, 16 << 20)
            defer { pthread_attr_destroy(&attributes) }
            for worker in 0..<max(1, count) {
                let work = Work { body(worker) }
                var thread = pthread_t()
                let started = pthread_create(
                    &thread, &attributes,
                    { context in
                        Unmanaged<Work>.fromOpaque(context!).takeRetainedValue().body()
                        return nil
                    }, Unmanaged.passRetained(work).toOpaque())
                if started == 0 {
                    threads.append(thread)
                } else {
                    Unmanaged.passUnretained(work).release()
                    inline.append(worker)
                }
            }
            for worker in inline { body(worker) }
            for thread in threads { pthread_join(thread, nil) }
        #else
            for worker in 0..<max(1, count) { body(worker) }
        #endif
    }

    /// The background work, handed to the second thread.
    private final class Work: @unchecked Sendable {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Where the background result lands: written by the second thread before it ends, read
    /// only after it has been joined.
    private final class ResultSlot<Value>: @unchecked Sendable {
        var value: Value?
    }
}
