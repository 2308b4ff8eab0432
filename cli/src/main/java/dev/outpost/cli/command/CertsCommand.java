package dev.outpost.cli.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code outpost certs}: the parent of {@code import} and {@code list}. */
@Command(name = "certs", mixinStandardHelpOptions = true,
        description = "Import or list the TLS certificates the edges present for host names.")
public final class CertsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(),
                "missing subcommand: use `outpost certs import HOST --cert FILE --key FILE` or `outpost certs list`");
    }
}
