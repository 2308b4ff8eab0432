package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.core.api.AppAddresses;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code outpost ips}: the app's dedicated address in each region, with the ports served there. */
@Command(name = "ips", mixinStandardHelpOptions = true,
        description = "Show where the app's raw TCP, tls and proxy_proto ports are served (its dedicated address per region).")
public final class IpsCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Mixin
    AppOptions target;

    @Option(names = "--json", description = "Print the addresses as JSON.")
    boolean json;

    public IpsCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        String app = target.app(env);
        AppAddresses addresses;
        try (ApiClient api = env.client()) {
            addresses = api.ips(app);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, addresses);
            return 0;
        }
        if (addresses.offset() == 0) {
            out.println("App " + addresses.app() + " has no dedicated address: all its ports are HTTP, served on the shared listeners.");
        } else {
            printAddresses(out, addresses);
        }
        out.flush();
        return 0;
    }

    /**
     * One line per region and port, e.g. {@code tcp  127.1.2.5:5432 (proxy_proto v2)  iad}, then the app's regions no
     * live edge serves dedicated addresses in; nothing when the app has no dedicated address.
     */
    static void printAddresses(PrintWriter out, AppAddresses addresses) {
        if (addresses == null || addresses.offset() == 0) {
            return;
        }
        if (!addresses.unservedRegions().isEmpty()) {
            out.println("Unserved   " + String.join(", ", addresses.unservedRegions())
                    + ": no live edge there serves dedicated addresses (outpost proxy --dedicated-block), so these ports are not "
                    + "reachable there");
        }
        String label = "Addresses  ";
        for (AppAddresses.Address a : addresses.addresses()) {
            String kind = a.describe();
            int space = kind.indexOf(' ');
            String protocol = space < 0 ? kind : kind.substring(0, space);
            String detail = space < 0 ? "" : kind.substring(space);
            out.println(label + protocol + "  " + a.address() + ":" + a.port() + detail + "  " + a.region());
            label = "           ";
        }
    }
}
