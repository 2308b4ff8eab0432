package dev.outpost.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AppHostTest {

    @ParameterizedTest(name = "{0} -> host {1}, app {2}")
    @CsvSource(nullValues = "none", value = {
            "hello.outpost.localhost,       hello.outpost.localhost, hello",
            "hello.outpost.localhost:8080,  hello.outpost.localhost, hello",
            "Hello.Outpost.LocalHost:80,    hello.outpost.localhost, hello",
            "hello.outpost.localhost.,      hello.outpost.localhost, hello",
            "hello,                         hello,                   hello",
            "HELLO:8080,                    hello,                   hello",
            "my-app2.outpost.localhost,     my-app2.outpost.localhost, my-app2",
            "a.b.outpost.localhost,         a.b.outpost.localhost,   none",
            "example.com,                   example.com,             none",
            "127.0.0.1:8080,                127.0.0.1,               none",
            "[::1]:8080,                    [::1],                   none",
            "outpost.localhost,             outpost.localhost,       none",
            "x,                             x,                       none",
            "2go.outpost.localhost,         2go.outpost.localhost,   none",
            "my_app.outpost.localhost,      my_app.outpost.localhost, none",
            "-ab,                           -ab,                     none",
            "ab-,                           ab-,                     ab-",
            "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, none",
    })
    void readsTheAppNameFromTheHostHeader(String header, String host, String app) {
        AppHost parsed = AppHost.parse(header);

        assertThat(parsed.host()).isEqualTo(host);
        assertThat(parsed.app()).isEqualTo(Optional.ofNullable(app));
    }
}
