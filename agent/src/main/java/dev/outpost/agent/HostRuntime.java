package dev.outpost.agent;

import dev.outpost.agent.blob.BlobCache;
import dev.outpost.agent.control.ControlPlane;
import dev.outpost.agent.driver.Driver;
import java.net.http.HttpClient;
import java.util.concurrent.ScheduledExecutorService;

/** What every {@link InstanceSupervisor} on the host shares; the {@link Agent} owns and closes it. */
record HostRuntime(AgentConfig config, AgentTiming timing, ControlPlane controlPlane, Driver driver, BlobCache blobs,
                   HttpClient checkHttp, ScheduledExecutorService timers) {}
