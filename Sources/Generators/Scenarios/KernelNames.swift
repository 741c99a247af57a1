import Compressor
import LinkModel
import Randomness

/// Kernel-like symbol names from word pools, drawn with a `SeededRandom`, unique within one
/// generator. Scenarios use them so that the pair statistics of the compression look like a
/// kernel's (`_`-joined lowercase words, `__` prefixes, `__func__.NNNNN` locals).
struct KernelNames {
    private var random: SeededRandom
    private var used: Set<String> = []

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    static let subsystems = [
        "arm", "omap", "irq", "sched", "mm", "vfs", "ext4", "jbd2", "nfs", "rpc", "svc", "tcp", "udp", "ip",
        "net", "sock", "skb", "usb", "mmc", "i2c", "spi", "gpio", "clk", "pm", "tty", "serial", "fb", "snd",
        "crypto", "blk", "scsi", "dma", "kobject", "sysfs", "proc", "devres", "pinctrl", "regulator", "timer",
        "hrtimer", "rcu", "workqueue", "kthread", "signal", "futex", "audit", "security", "cgroup", "fat", "nls",
        "mtd", "ubi", "input", "hid", "video", "drm", "twl4030", "musb", "ehci", "neigh", "xfrm", "inet6",
    ]
    static let verbs = [
        "get", "set", "init", "exit", "read", "write", "alloc", "free", "create", "destroy", "register",
        "unregister", "lookup", "find", "add", "del", "remove", "update", "show", "store", "open", "release",
        "probe", "suspend", "resume", "start", "stop", "enable", "disable", "handle", "process", "queue",
        "flush", "sync", "map", "unmap", "parse", "check", "put", "attach", "detach", "wait", "wake",
    ]
    static let nouns = [
        "page", "buffer", "inode", "dentry", "file", "sb", "node", "entry", "list", "table", "request",
        "queue", "device", "driver", "bus", "irq", "domain", "chip", "port", "state", "stats", "info", "ops",
        "config", "data", "ctx", "work", "timer", "lock", "map", "range", "region", "block", "cache", "pool",
        "slab", "task", "thread", "event", "msg", "attr", "reg", "clock", "mode", "flags", "count",
    ]

    /// A function name.
    mutating func function() -> String {
        unique {
            let sub = $0.pick(Self.subsystems), verb = $0.pick(Self.verbs), noun = $0.pick(Self.nouns)
            switch $0.below(8) {
            case 0: return "__\(sub)_\(verb)_\(noun)"
            case 1: return "do_\(sub)_\(noun)"
            case 2: return "\(sub)_\(noun)_\(verb)"
            case 3: return "\(sub)_\(verb)_\(noun)_locked"
            default: return "\(sub)_\(verb)_\(noun)"
            }
        }
    }

    /// An init function name (`*_init`, `*_setup`).
    mutating func initFunction() -> String {
        unique {
            let sub = $0.pick(Self.subsystems), noun = $0.pick(Self.nouns)
            return $0.chance(70) ? "\(sub)_\(noun)_init" : "\(sub)_setup_\(noun)"
        }
    }

    /// A data object name.
    mutating func object() -> String {
        unique {
            let sub = $0.pick(Self.subsystems), noun = $0.pick(Self.nouns)
            switch $0.below(6) {
            case 0: return "\(sub)_\(noun)_ops"
            case 1: return "\(sub)_\(noun)_fops"
            case 2: return "\(sub)_\(noun)_table"
            case 3: return "\(sub)_\(noun)s"
            default: return "\(sub)_\(noun)"
            }
        }
    }

    /// A read-only local such as `__func__.12345` or `__param_str_foo`.
    mutating func constant() -> String {
        unique {
            switch $0.below(3) {
            case 0: return "__func__.\(10_000 + $0.below(30_000))"
            case 1: return "__param_str_\($0.pick(Self.subsystems))_\($0.pick(Self.nouns))"
            default: return "\($0.pick(Self.subsystems))_\($0.pick(Self.nouns))_names"
            }
        }
    }

    /// A name `make` draws that was not drawn before. When the pools run dry (16 collisions
    /// in a row, as in ARM-sized sets) the last draw gets a numeric suffix, as the compiler's
    /// `.constprop.N` / `.isra.N` clones do.
    private mutating func unique(_ make: (inout SeededRandom) -> String) -> String {
        var attempts = 0
        while true {
            let name = make(&random)
            if used.insert(name).inserted { return name }
            attempts += 1
            if attempts >= 16 {
                var suffix = 0
                while !used.insert("\(name).constprop.\(suffix)").inserted { suffix += 1 }
                return "\(name).constprop.\(suffix)"
            }
        }
    }

    /// A size in `range` bytes, a multiple of `granule`.
    mutating func size(_ range: ClosedRange<Int>, granule: Int = 4) -> UInt64 {
        let value = range.lowerBound + random.below(range.count)
        return UInt64((value + granule - 1) / granule * granule)
    }

    /// True with probability `percent`/100.
    mutating func chance(_ percent: Int) -> Bool { random.chance(percent) }
}

/// The draws `KernelNames` makes, by `RandomDraws.belowByModulo` (the built-in scenario's names
/// were drawn that way and are pinned by tests and documents).
extension SeededRandom {
    /// A value in `0..<bound`.
    mutating func below(_ bound: Int) -> Int { RandomDraws.belowByModulo(bound, using: &self) }

    /// One element of `list`.
    mutating func pick<T>(_ list: [T]) -> T { list[below(list.count)] }

    /// True with probability `percent`/100.
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}
