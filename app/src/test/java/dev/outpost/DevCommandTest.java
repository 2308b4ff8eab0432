package dev.outpost;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DevCommandTest {
    @Test
    void anUnknownWanModeIsAUsageErrorBeforeAnythingStarts() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new DevCommand()).setErr(new PrintWriter(err));
        // Were the mode not checked first, the platform would fail on this store instead of running until Ctrl-C.
        int code = cli.execute("--wan", "fast", "--db", "postgresql://nobody:none@127.0.0.1:1/none");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--wan").contains("none, scaled, real").contains("fast");
    }

    @Test
    void aRegionNamedTwiceIsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new DevCommand()).setErr(new PrintWriter(err));
        int code = cli.execute("--regions", "iad,ams,syd,sin,nrt,gru,lax,iad", "--wan", "fast");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("names a region twice");
    }

    @Test
    void aBadPriceListIsAUsageErrorNamingTheFileAndTheValueBeforeAnythingStarts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path prices = java.nio.file.Files.writeString(dir.resolve("prices.toml"), "shared-1x = \"cheap\"\n");
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new DevCommand()).setErr(new PrintWriter(err));
        int code = cli.execute("--prices", prices.toString(), "--db", "postgresql://nobody:none@127.0.0.1:1/none");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--prices").contains(prices.toString()).contains("cheap");

        StringWriter missing = new StringWriter();
        int none = new CommandLine(new DevCommand()).setErr(new PrintWriter(missing))
                .execute("--prices", dir.resolve("nope.toml").toString(), "--db", "postgresql://nobody:none@127.0.0.1:1/none");
        assertThat(none).isEqualTo(2);
        assertThat(missing.toString()).contains("nope.toml");
    }
}
