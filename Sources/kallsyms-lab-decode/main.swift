// `kallsyms-lab decode IMAGE` in a program without Foundation (ImageCommand.StandaloneDecode).
import ImageCommand

#if canImport(Glibc)
    import Glibc
#endif

exit(StandaloneDecode.main(CommandLine.arguments))
