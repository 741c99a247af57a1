import Synchronization
import TestSupport
import Testing

@testable import Compressor

#if canImport(Glibc)
    import Glibc
#endif

/// `Concurrently`: pieces handed to a thread run exactly once and are joined; a warm second
/// core takes the pieces it is free for and leaves the others to threads of their own.
@Suite struct ConcurrentlyTests {
    @Test("run returns both results, the background one computed on another thread")
    func runReturnsBoth() {
        let caller = Self.threadID()
        let (foreground, background) = Concurrently.run({ 1 + 1 }, alongside: { Self.threadID() })
        #expect(foreground == 2)
        #expect(background != caller)
    }

    @Test("pieces handed to a warm core run there, one after the other, each joined")
    func warmCoreRunsPieces() throws {
        let caller = Self.threadID()
        let threads = Mutex<[UInt64]>([])
        let total = Atomic<Int>(0)
        let (value, warmThreads, pieces) = Concurrently.withWarmSecondCore { warm -> (Int, [UInt64], Int?) in
            for piece in 1...20 {
                let started = Concurrently.start(
                    {
                        total.add(piece, ordering: .relaxed)
                        threads.withLock { $0.append(Self.threadID()) }
                    }, on: warm)
                started?.join()
                // Joined: the piece's effects are visible.
                #expect(total.load(ordering: .relaxed) == piece * (piece + 1) / 2)
            }
            return (7, threads.withLock { $0 }, warm?.piecesRun.load(ordering: .relaxed))
        }
        #expect(value == 7)
        #expect(warmThreads.count == 20)
        #expect(!warmThreads.contains(caller))
        // All twenty went to the one warm thread.
        #expect(pieces == 20)
        #expect(Set(warmThreads).count == 1)
    }

    @Test("a piece handed over while the warm core is busy gets a thread of its own")
    func busyWarmCoreFallsBack() throws {
        let release = Atomic<Bool>(false)
        let ran = Atomic<Int>(0)
        Concurrently.withWarmSecondCore { warm in
            // The first piece holds the warm core until the second has run elsewhere.
            let first = Concurrently.start(
                {
                    while !release.load(ordering: .acquiring) { sched_yield() }
                    ran.add(1, ordering: .relaxed)
                }, on: warm)
            let second = Concurrently.start({ ran.add(10, ordering: .relaxed) }, on: warm)
            second?.join()
            #expect(ran.load(ordering: .relaxed) == 10)
            release.store(true, ordering: .releasing)
            first?.join()
            #expect(ran.load(ordering: .relaxed) == 11)
            #expect(warm?.piecesRun.load(ordering: .relaxed) == 1)
        }
    }

    @Test("the two-thread compression on a warm core gives the one-thread compression")
    func compressionOnWarmCore() throws {
        let parsed = try Era.v6_1.parse(Corpus.armhfMap)
        let input = try Era.v6_1.select(parsed.records, options: KallsymsOptions(allSymbols: true)).storedStrings
        let expected = FastEngine.compress(input)
        let (compression, marker) = Concurrently.withWarmSecondCore { warm in
            FastEngine.compress(input, alongside: { 5 }, on: warm)
        }
        #expect(marker == 5)
        #expect(compression == expected)
    }

    static func threadID() -> UInt64 {
        #if canImport(Glibc)
            return UInt64(pthread_self())
        #else
            return 0
        #endif
    }
}
