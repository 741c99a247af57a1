import Foundation
import KallsymsLabCommand

// `decode IMAGE` runs in `kallsyms-lab-decode` when it sits beside this executable (same
// output, errors and status, less memory); execv returns only when it could not start it.
if let program = KallsymsLab.handOver(CommandLine.arguments) {
    let argv = ([program] + CommandLine.arguments.dropFirst()).map { strdup($0) } + [nil]
    execv(program, argv)
    for pointer in argv { free(pointer) }
}
exit(KallsymsLab.main(CommandLine.arguments))
