package dev.outpost;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ProxyCommandTest {
    private static String refused(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new ProxyCommand()).setErr(new PrintWriter(err));
        // Checked before anything starts: no server is asked, no port is bound.
        int code = cli.execute(args);
        assertThat(code).isEqualTo(2);
        return err.toString();
    }

    @Test
    void aBadAdminListenerIsAUsageErrorThatSaysWhatIsExpected() {
        assertThat(refused("--region", "iad", "--server", "http://127.0.0.1:1", "--token", "t", "--admin-listen", "metrics"))
                .contains("--admin-listen metrics is not HOST:PORT").contains("127.0.0.1:9191").contains("none");
        assertThat(refused("--region", "iad", "--server", "http://127.0.0.1:1", "--token", "t", "--admin-listen", "127.0.0.1:99999"))
                .contains("--admin-listen 127.0.0.1:99999: the port must be 1-65535");
        assertThat(refused("--region", "iad", "--server", "http://127.0.0.1:1", "--token", "t", "--listen", "127.0.0.1:18080", "--dedicated-block", "10.0.2.9"))
                .contains("--dedicated-block").contains("10.0.2.9").contains("/24");
    }
}
