package dev.outpost;

import picocli.CommandLine;

/** A {@code host:port} option value, checked where it enters. */
record HostPort(String host, int port) {
    static HostPort parse(CommandLine.Model.CommandSpec spec, String option, String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " " + value + " is not HOST:PORT");
        }
        try {
            int port = Integer.parseInt(value.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return new HostPort(value.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " " + value + ": the port must be 1-65535");
        }
    }
}
