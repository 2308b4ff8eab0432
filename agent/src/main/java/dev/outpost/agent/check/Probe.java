package dev.outpost.agent.check;

import dev.outpost.core.config.AppConfig;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One check of an instance, run every {@link #interval()} once {@link #gracePeriod()} has passed. */
public interface Probe {

    /** Names the check in messages, e.g. {@code GET /healthz} or {@code tcp 127.0.0.1:4000}. */
    String name();

    Duration interval();

    Duration gracePeriod();

    /** Runs the check once, within its timeout. */
    ProbeResult run() throws InterruptedException;

    /**
     * The probes {@code config} asks for, against {@code address}:{@code port} (the port the instance
     * was given: a process instance serves every service on its one {@code PORT}).
     */
    static List<Probe> of(AppConfig config, String address, int port, HttpClient http) {
        List<Probe> probes = new ArrayList<>();
        for (AppConfig.Service service : config.services()) {
            for (AppConfig.HttpCheck c : service.httpChecks()) {
                probes.add(new HttpProbe(http, c.method(), address, port, c.path(), c.interval(), c.timeout(), c.gracePeriod()));
            }
            for (AppConfig.TcpCheck c : service.tcpChecks()) {
                probes.add(new TcpProbe(address, port, c.interval(), c.timeout(), c.gracePeriod()));
            }
        }
        return probes;
    }
}
