import Synchronization

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
    /// `background` must not touch anything `foreground` mutates (both only read shared values
    /// here). It runs on `warm` when that is free.
    static func run<Foreground, Background>(
        _ foreground: () throws -> Foreground,
        alongside background: @escaping () -> Background, on warm: WarmCore? = nil
    ) rethrows
        -> (Foreground, Background)
    {
        let result = ResultSlot<Background>()
        guard let thread = start({ result.value = background() }, on: warm) else { return (try foreground(), background()) }
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

    /// A thread that `start` started (or the warm second core it handed `body` to); join it once.
    struct Started {
        #if canImport(Glibc)
            fileprivate let thread: pthread_t?
            fileprivate let warm: WarmCore?

            func join() {
                if let thread { pthread_join(thread, nil) }
                warm?.waitUntilDone()
            }
        #else
            func join() {}
        #endif
    }

    /// Starts `body` on a thread of its own (with a stack of `stackSize` bytes, or the system's
    /// default), or returns nil (having run nothing) where no thread can be started; given a
    /// `warm` core that is free, `body` goes to it instead.
    static func start(_ body: @escaping () -> Void, on warm: WarmCore? = nil, stackSize: Int? = nil) -> Started? {
        #if canImport(Glibc)
            if let warm, warm.take(body) { return Started(thread: nil, warm: warm) }
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            defer { pthread_attr_destroy(&attributes) }
            if let stackSize { pthread_attr_setstacksize(&attributes, stackSize) }
            let work = Work(body)
            var thread = pthread_t()
            let started = pthread_create(
                &thread, &attributes,
                { context in
                    Unmanaged<Work>.fromOpaque(context!).takeRetainedValue().body()
                    return nil
                }, Unmanaged.passRetained(work).toOpaque())
            guard started == 0 else {
                Unmanaged.passUnretained(work).release()
                return nil
            }
            return Started(thread: thread, warm: nil)
        #else
            return nil
        #endif
    }

    /// Runs `body(worker)` for each worker in `0..<count` (at least one), each on a thread of
    /// its own with a 16 MiB stack, and returns when all have ended. Where a thread cannot be
    /// started, that worker runs on the caller's thread after the others were started.
    public static func workers(count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        var threads: [Started] = []
        var inline: [Int] = []
        for worker in 0..<max(1, count) {
            if let thread = start({ body(worker) }, stackSize: 16 << 20) {
                threads.append(thread)
            } else {
                inline.append(worker)
            }
        }
        for worker in inline { body(worker) }
        for thread in threads { thread.join() }
    }

    /// Runs `body` with a second thread waiting, busy, for the pieces `start(_:on:)` hands it
    /// (nil where no thread can be started), and ends that thread before returning.
    ///
    /// On a virtual machine an idle core can take milliseconds to run a new thread (measured
    /// here: 0.1–2.7 ms from `pthread_create` to the thread's first instruction), as long as
    /// a stage of `compress` on a kernel map. A thread that spins (yielding the processor
    /// between looks) keeps its core awake and takes a piece in microseconds; it also competes
    /// for the machine while it waits, so it is for stretches of a few milliseconds before a
    /// piece is due. Nothing changes but when pieces start.
    static func withWarmSecondCore<R>(_ body: (WarmCore?) throws -> R) rethrows -> R {
        #if canImport(Glibc)
            let warm = WarmCore()
            guard let thread = start({ warm.serve() }) else { return try body(nil) }
            defer {
                warm.stop()
                thread.join()
            }
            return try body(warm)
        #else
            return try body(nil)
        #endif
    }

    /// The waiting thread of `withWarmSecondCore`: one piece at a time, handed over through
    /// `state` (idle → taken → ready → running → idle once done, or ready → taken → idle when
    /// the piece is withdrawn before it starts; or stopped). The piece is written
    /// before `state` becomes ready (releasing) and read after it is seen ready (acquiring).
    final class WarmCore: @unchecked Sendable {  // `body` is guarded by `state` as described
        private static let idle = 0, taken = 1, ready = 2, running = 3, stopped = 4
        private let state = Atomic<Int>(WarmCore.idle)
        private var body: (() -> Void)?
        /// How many pieces this thread has run.
        let piecesRun = Atomic<Int>(0)

        /// Hands `body` over if the thread is idle; false (nothing done) when it is busy.
        func take(_ body: @escaping () -> Void) -> Bool {
            guard state.compareExchange(expected: Self.idle, desired: Self.taken, ordering: .acquiring).exchanged
            else { return false }
            self.body = body
            state.store(Self.ready, ordering: .releasing)
            return true
        }

        /// Takes back the piece handed over last if the thread has not started it: true when
        /// it never will run; false when it is running or has run (`waitUntilDone` then waits).
        func withdraw() -> Bool {
            guard state.compareExchange(expected: Self.ready, desired: Self.taken, ordering: .acquiring).exchanged
            else { return false }
            body = nil
            state.store(Self.idle, ordering: .releasing)
            return true
        }

        /// Waits until the piece handed over last has run.
        func waitUntilDone() {
            Concurrently.spin {
                let now = state.load(ordering: .acquiring)
                return now == Self.idle || now == Self.stopped
            }
        }

        /// Ends the thread once it is idle.
        func stop() {
            while !state.compareExchange(expected: Self.idle, desired: Self.stopped, ordering: .releasing).exchanged {
                Concurrently.spin { state.load(ordering: .acquiring) == Self.idle }
            }
        }

        /// The thread's body: runs pieces until stopped.
        func serve() {
            if HugePages.advisesSecondThreadHeap.load(ordering: .relaxed) { HugePages.adviseThreadHeap() }
            while true {
                var now = 0
                Concurrently.spin {
                    now = state.load(ordering: .acquiring)
                    return now == Self.ready || now == Self.stopped
                }
                if now == Self.stopped { return }
                // Ready → running, unless the piece was withdrawn in the meantime.
                guard state.compareExchange(expected: Self.ready, desired: Self.running, ordering: .acquiring).exchanged
                else { continue }
                body?()
                body = nil
                piecesRun.add(1, ordering: .relaxed)
                state.store(Self.idle, ordering: .releasing)
            }
        }

    }

    /// Waits for `condition` by looking again and again, yielding the processor after the first
    /// few thousand looks (so that threads sharing one core still make progress): for waits of
    /// microseconds between threads that hand each other work many times a second.
    @inline(__always)
    static func spin(until condition: () -> Bool) {
        var spins = 0
        while !condition() {
            spins &+= 1
            #if canImport(Glibc)
                if spins > 2_000 { sched_yield() }
            #endif
        }
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
