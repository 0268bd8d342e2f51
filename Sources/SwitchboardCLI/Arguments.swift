public import ArgumentParser
public import SwitchboardCore

// The directory's enums are typed on the command line too: argument-parser lists their values
// in --help and refuses any other with a message naming the option.

extension Role: ExpressibleByArgument {}

extension PersonStatus: ExpressibleByArgument {}
