import Foundation
import KallsymsLabCommand

exit(KallsymsLab.main(CommandLine.arguments))
