import Compressor
import ImageReader

#if canImport(Glibc)
    import Glibc
#endif

/// `kallsyms-lab decode IMAGE` without options, as the `kallsyms-lab-decode` executable runs it:
/// a program that links neither Foundation nor the rest of the command line, so that the
/// memory it needs is the decoding's, not the start-up of an 80 MB binary (docs/images.md,
/// "Peak memory: decode in its own executable"). `kallsyms-lab decode IMAGE` hands over to it
/// with `execv` when it sits beside `kallsyms-lab`, and decodes in its own process otherwise;
/// both print the same bytes, the same errors and exit with the same status.
public enum StandaloneDecode {
    /// The file name of the executable, beside `kallsyms-lab`.
    public static let executableName = "kallsyms-lab-decode"

    /// The image path when `arguments` (after the program name) are `decode IMAGE` alone, with
    /// IMAGE a path (not `-`, not an option): the one form `kallsyms-lab-decode` takes.
    public static func imagePath(_ arguments: [String]) -> String? {
        guard arguments.count == 2, arguments[0] == "decode", let path = arguments.last, !path.isEmpty,
            !path.hasPrefix("-")
        else { return nil }
        return path
    }

    /// Decodes the image at `path` and writes its listing with `output` (which returns 0, or the
    /// `errno` of a failed write); errors go to `errors` as `kallsyms-lab decode` words them.
    /// Returns the exit status.
    public static func run(
        path: String, output: (UnsafeBufferPointer<UInt8>) -> Int32, errors: ([UInt8]) -> Void
    ) -> Int32 {
        let report: ImageReport
        do {
            report = try KernelImage.read(path: path)
        } catch let error as ImageError {
            errors(Array("kallsyms-lab decode: \(path): \(error.message)\n".utf8))
            return 1
        } catch let error as KallsymsError {
            errors(Array("kallsyms-lab decode: \(path): \(error.message)\n".utf8))
            return 1
        } catch {
            errors(Array("kallsyms-lab decode: \(error)\n".utf8))
            return 1
        }
        var failure: Int32 = 0
        ImageListing.write(report.tables.symbols) { chunk in
            if failure == 0 { failure = output(chunk) }
        }
        guard failure == 0 else {
            errors(Array("kallsyms-lab decode: error writing standard output: \(String(cString: strerror(failure)))\n".utf8))
            return 1
        }
        return 0
    }

    /// Writes all of `chunk` to `fd`: 0, or the `errno` of the write that failed.
    public static func writeAll(_ fd: Int32, _ chunk: UnsafeBufferPointer<UInt8>) -> Int32 {
        var offset = 0
        while offset < chunk.count {
            let written = Glibc.write(fd, chunk.baseAddress! + offset, chunk.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return 0
    }

    /// The process entry point of `kallsyms-lab-decode`: `decode IMAGE` (the arguments
    /// `kallsyms-lab` was given); anything else is not for this program (exit status 2).
    public static func main(_ argv: [String]) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        guard let path = imagePath(Array(argv.dropFirst())) else {
            let usage = "usage: \(executableName) decode IMAGE (as kallsyms-lab decode IMAGE, without options)\n"
            _ = usage.utf8.withContiguousStorageIfAvailable { writeAll(2, $0) }
            return 2
        }
        return run(
            path: path, output: { writeAll(1, $0) },
            errors: { bytes in _ = bytes.withUnsafeBufferPointer { writeAll(2, $0) } })
    }
}
