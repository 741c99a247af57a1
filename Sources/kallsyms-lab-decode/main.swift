// `kallsyms-lab decode IMAGE` in a program without Foundation (ImageReader.StandaloneDecode).
import ImageReader

#if canImport(Glibc)
    import Glibc
#endif

exit(StandaloneDecode.main(CommandLine.arguments))
