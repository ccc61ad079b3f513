package io.cascade.outbound;

import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * POSTs to a {@link TenantUrls.Target}: connects to the address that was checked, follows no
 * redirect, reads at most {@value #MAX_RESPONSE_BYTES} bytes of the answer (the connection is
 * closed on the rest), and gives the whole exchange one deadline, so an endpoint that trickles
 * bytes cannot hold a delivery open.
 */
@ApplicationScoped
public class OutboundHttp {

  /** The most of a response body read; only its status and headers matter. */
  public static final int MAX_RESPONSE_BYTES = 64 * 1024;

  /** An endpoint's answer. */
  public record Answer(int status, MultiMap headers) {}

  private final io.vertx.core.Vertx vertx;
  private final HttpClient client;

  OutboundHttp(Vertx vertx) {
    this.vertx = vertx.getDelegate();
    this.client =
        this.vertx.createHttpClient(
            new HttpClientOptions()
                // The host name, not the address connected to, is what the certificate names.
                .setForceSni(true)
                .setVerifyHost(true),
            new PoolOptions().setHttp1MaxSize(64));
  }

  /**
   * POSTs {@code body} with {@code headers}; completes with the answer once its body is read (or
   * cut at the cap), fails with {@link OutboundFailure} when none came within {@code deadline}.
   */
  public Uni<Answer> post(
      TenantUrls.Target target, Map<String, String> headers, byte[] body, Duration deadline) {
    return Uni.createFrom()
        .<Answer>emitter(
            emitter -> {
              Exchange exchange = new Exchange(emitter::complete, emitter::fail);
              long timer =
                  vertx.setTimer(Math.max(1, deadline.toMillis()), ignored -> exchange.deadline());
              exchange.onEnd(() -> vertx.cancelTimer(timer));
              emitter.onTermination(exchange::abandon);
              RequestOptions options =
                  new RequestOptions()
                      .setMethod(HttpMethod.POST)
                      .setServer(
                          SocketAddress.inetSocketAddress(
                              target.port(), target.address().getHostAddress()))
                      .setHost(target.host())
                      .setPort(target.port())
                      .setSsl(target.tls())
                      .setURI(target.requestUri())
                      .setFollowRedirects(false)
                      .setConnectTimeout(Math.max(1, deadline.toMillis()));
              headers.forEach(options::putHeader);
              client
                  .request(options)
                  .onFailure(exchange::failed)
                  .onSuccess(
                      request -> {
                        if (!exchange.started(request)) {
                          return;
                        }
                        request
                            .send(Buffer.buffer(body))
                            .onFailure(exchange::failed)
                            .onSuccess(exchange::answered);
                      });
            })
        .onFailure(e -> !(e instanceof OutboundFailure))
        .transform(OutboundFailure::of);
  }

  /**
   * One request's state, touched on its connection's event loop and by the deadline timer; it ends
   * once, with the answer or a failure.
   */
  private static final class Exchange {
    private final Consumer<Answer> complete;
    private final Consumer<Throwable> fail;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicReference<HttpClientRequest> request = new AtomicReference<>();
    private volatile Answer answer;
    private volatile Runnable onEnd = () -> {};
    private long read;

    Exchange(Consumer<Answer> complete, Consumer<Throwable> fail) {
      this.complete = complete;
      this.fail = fail;
    }

    void onEnd(Runnable action) {
      onEnd = action;
    }

    /** Keeps the request to reset it later; false when the exchange ended already. */
    boolean started(HttpClientRequest started) {
      request.set(started);
      if (ended.get()) {
        started.reset();
        return false;
      }
      return true;
    }

    void answered(HttpClientResponse response) {
      answer = new Answer(response.statusCode(), response.headers());
      response.handler(
          chunk -> {
            read += chunk.length();
            if (read > MAX_RESPONSE_BYTES) {
              // The rest is discarded with the connection; the answer stands.
              end(true, null);
            }
          });
      response.exceptionHandler(e -> end(true, null));
      // Read to the end: the connection can carry the next delivery.
      response.endHandler(done -> end(false, null));
    }

    void failed(Throwable failure) {
      end(true, failure);
    }

    /** An answer already in stands, its body cut; without one, the exchange timed out. */
    void deadline() {
      end(true, answer == null ? new TimeoutException("no answer within the deadline") : null);
    }

    /** The subscriber went away (shutdown): drop the connection. */
    void abandon() {
      end(true, new TimeoutException("abandoned"));
    }

    private void end(boolean dropConnection, Throwable failure) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      onEnd.run();
      HttpClientRequest current = request.get();
      if (dropConnection && current != null) {
        current.reset();
      }
      if (failure == null) {
        complete.accept(answer);
      } else {
        fail.accept(failure);
      }
    }
  }
}
