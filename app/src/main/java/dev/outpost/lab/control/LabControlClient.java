package dev.outpost.lab.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.cli.CliException;
import dev.outpost.cli.Environment;
import dev.outpost.cli.context.Context;
import dev.outpost.core.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The CLI's side of {@link LabControl}: finds it through {@code lab-control.json} and calls it. */
final class LabControlClient {
    /** Exit code of {@code outpost lab stop|start} when the part already is in the state asked for. */
    static final int ALREADY = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final URI url;
    private final String token;

    private LabControlClient(URI url, String token) {
        this.url = url;
        this.token = token;
    }

    static LabControlClient open(Environment env) throws CliException {
        Path file = Context.directory(env.variables(), env.home()).resolve(LabControl.FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw notRunning("no " + file);
        }
        URI url;
        try {
            url = URI.create(Json.mapper().readTree(file.toFile()).path("url").asText());
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage() + " (restart `outpost dev` to rewrite it)");
        }
        try {
            return new LabControlClient(url, env.context().token());
        } catch (dev.outpost.cli.context.ContextException e) {
            throw new CliException(e.getMessage());
        }
    }

    private static CliException notRunning(String why) {
        return new CliException("outpost dev is not running (" + why + "): start it with `outpost dev`, then retry");
    }

    /** The answer's JSON for a 2xx; a CliException with the control's sentence and a fitting exit code otherwise. */
    JsonNode call(String method, String path) throws CliException {
        HttpRequest request = HttpRequest.newBuilder(url.resolve(path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> answer;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw notRunning("nothing answers at " + url + ", the lab control it left");
        } catch (IOException e) {
            throw new CliException("the lab control of outpost dev at " + url + " did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while calling the lab control", e);
        }
        JsonNode body;
        try {
            body = Json.mapper().readTree(answer.body());
        } catch (IOException e) {
            throw new CliException("the lab control at " + url + " answered " + answer.statusCode() + " with no JSON: " + answer.body());
        }
        int status = answer.statusCode();
        if (status / 100 == 2) {
            return body;
        }
        String message = body.path("error").asText("HTTP " + status);
        throw new CliException(message, switch (status) {
            case 404 -> CliException.USAGE;
            case 409 -> ALREADY;
            default -> CliException.FAILURE;
        });
    }
}
