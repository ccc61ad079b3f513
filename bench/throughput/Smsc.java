import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jsmpp.PDUStringException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.BroadcastSm;
import org.jsmpp.bean.CancelBroadcastSm;
import org.jsmpp.bean.CancelSm;
import org.jsmpp.bean.DataCodings;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.GSMSpecificFeature;
import org.jsmpp.bean.MessageMode;
import org.jsmpp.bean.MessageType;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.QueryBroadcastSm;
import org.jsmpp.bean.QuerySm;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.ReplaceSm;
import org.jsmpp.bean.SubmitMulti;
import org.jsmpp.bean.SubmitSm;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.session.BindRequest;
import org.jsmpp.session.BroadcastSmResult;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.QueryBroadcastSmResult;
import org.jsmpp.session.QuerySmResult;
import org.jsmpp.session.SMPPServerSession;
import org.jsmpp.session.SMPPServerSessionListener;
import org.jsmpp.session.ServerMessageReceiverListener;
import org.jsmpp.session.Session;
import org.jsmpp.session.SubmitMultiResult;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.session.connection.ServerConnection;
import org.jsmpp.session.connection.ServerConnectionFactory;
import org.jsmpp.session.connection.socket.ServerSocketConnection;
import org.jsmpp.util.MessageId;

/**
 * The SMSC of bench/throughput/run.sh --smpp, one process that both Cascade and Kannel bind to: it
 * accepts any bind, answers every {@code submit_sm} with a hexadecimal id and, when the submit asks
 * for one, sends a {@code DELIVRD} receipt naming the message by the decimal form of that id (as
 * many SMSCs do) after DELAY ms. A receipt the ESME refuses or does not answer is sent again 1 s
 * later, as an SMSC retries, so "receipts lost" can only mean an ESME acknowledged and dropped one.
 *
 * <p>It also counts Kannel's delivery reports: {@code GET /dlr?type=%d&sent=<epoch ms>} (Kannel's
 * {@code dlr-url}) records one report and its latency from {@code sent}. {@code GET /stats} prints
 * one line of key=value counters; {@code GET /reset} zeroes the report counters (the SMPP ones
 * only grow: read them before and after).
 *
 * <p>Run with {@code java -cp jsmpp.jar:slf4j-api.jar bench/throughput/Smsc.java SMPP_PORT
 * HTTP_PORT [DELAY_MS=0] [RECEIPT_THREADS=32]}; loopback only; stops on SIGTERM.
 */
public class Smsc implements ServerMessageReceiverListener {

  private static final int LATENCY_BUCKETS = 60_001; // ms, the last one is ">= 60 s"

  // Ids never repeat across runs (receipts name messages by id alone): the start time in the high bits.
  private final AtomicLong nextId = new AtomicLong(System.currentTimeMillis() << 12);
  private final AtomicLong submits = new AtomicLong();
  private final AtomicLong receiptsAcked = new AtomicLong();
  private final AtomicLong receiptsRefused = new AtomicLong();
  private final AtomicInteger receiptsPending = new AtomicInteger();
  private final AtomicLong firstSubmitMillis = new AtomicLong();
  private final AtomicLong lastReceiptMillis = new AtomicLong();
  private final AtomicLong dlrs = new AtomicLong();
  private final AtomicLong dlrsDelivered = new AtomicLong();
  private final AtomicLong firstDlrSentMillis = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastDlrMillis = new AtomicLong();
  private final AtomicLongArray dlrLatency = new AtomicLongArray(LATENCY_BUCKETS);
  private final AtomicInteger binds = new AtomicInteger();
  private final long delayMillis;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService senders;

  Smsc(long delayMillis, int receiptThreads) {
    this.delayMillis = delayMillis;
    this.senders = Executors.newFixedThreadPool(receiptThreads);
  }

  public static void main(String[] args) throws Exception {
    int smppPort = Integer.parseInt(args[0]);
    int httpPort = Integer.parseInt(args[1]);
    long delay = args.length > 2 ? Long.parseLong(args[2]) : 0;
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 32;
    Smsc smsc = new Smsc(delay, threads);
    smsc.serveHttp(httpPort);
    SMPPServerSessionListener listener =
        new SMPPServerSessionListener(smppPort, 60_000, 50, new LoopbackOnly());
    listener.setPduProcessorDegree(4);
    listener.setQueueCapacity(100_000);
    listener.setMessageReceiverListener(smsc);
    System.out.println("smsc listening on 127.0.0.1:" + smppPort + ", stats on :" + httpPort);
    while (true) {
      SMPPServerSession session = listener.accept();
      Thread binder = new Thread(() -> smsc.bind(session), "bind");
      binder.setDaemon(true);
      binder.start();
    }
  }

  /** Listens on 127.0.0.1 only (jSMPP's default factory listens on every interface). */
  private static final class LoopbackOnly implements ServerConnectionFactory {
    @Override
    public ServerConnection listen(int port) throws IOException {
      return listen(port, 0, 50);
    }

    @Override
    public ServerConnection listen(int port, int timeout) throws IOException {
      return listen(port, timeout, 50);
    }

    @Override
    public ServerConnection listen(int port, int timeout, int backlog) throws IOException {
      ServerSocket socket = new ServerSocket(port, backlog, InetAddress.getLoopbackAddress());
      socket.setSoTimeout(timeout);
      return new ServerSocketConnection(socket);
    }
  }

  private void bind(SMPPServerSession session) {
    try {
      BindRequest request = session.waitForBind(5_000);
      request.accept(request.getSystemId());
      binds.incrementAndGet();
    } catch (Exception e) {
      session.close();
    }
  }

  @Override
  public SubmitSmResult onAcceptSubmitSm(SubmitSm submit, SMPPServerSession session)
      throws ProcessRequestException {
    String id = Long.toHexString(nextId.incrementAndGet()).toUpperCase();
    if (submits.getAndIncrement() == 0) {
      firstSubmitMillis.set(System.currentTimeMillis());
    }
    if ((submit.getRegisteredDelivery() & 0x03) != 0) {
      receiptsPending.incrementAndGet();
      String to = submit.getDestAddress();
      timer.schedule(
          () -> senders.execute(() -> sendReceipt(session, id, to)),
          delayMillis,
          TimeUnit.MILLISECONDS);
    }
    try {
      return new SubmitSmResult(new MessageId(id), new OptionalParameter[0]);
    } catch (PDUStringException e) {
      throw new IllegalStateException(e);
    }
  }

  private void sendReceipt(SMPPServerSession session, String hexId, String to) {
    String text =
        "id:"
            + Long.parseLong(hexId, 16)
            + " sub:001 dlvrd:001 submit date:2612020000 done date:2612020000 stat:DELIVRD err:000"
            + " text:";
    try {
      session.deliverShortMessage(
          "",
          TypeOfNumber.INTERNATIONAL,
          NumberingPlanIndicator.ISDN,
          to,
          TypeOfNumber.ALPHANUMERIC,
          NumberingPlanIndicator.UNKNOWN,
          "bench",
          new ESMClass(MessageMode.DEFAULT, MessageType.SMSC_DEL_RECEIPT, GSMSpecificFeature.DEFAULT),
          (byte) 0,
          (byte) 0,
          new RegisteredDelivery(0),
          DataCodings.ZERO,
          text.getBytes(StandardCharsets.ISO_8859_1));
      receiptsAcked.incrementAndGet();
      receiptsPending.decrementAndGet();
      lastReceiptMillis.accumulateAndGet(System.currentTimeMillis(), Math::max);
    } catch (Exception e) {
      receiptsRefused.incrementAndGet();
      if (session.getSessionState().isBound()) {
        timer.schedule(
            () -> senders.execute(() -> sendReceipt(session, hexId, to)), 1, TimeUnit.SECONDS);
      } else {
        receiptsPending.decrementAndGet(); // the session is gone: counted as not acknowledged
      }
    }
  }

  private void serveHttp(int port) throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 512);
    http.setExecutor(Executors.newFixedThreadPool(4));
    http.createContext(
        "/dlr",
        exchange -> {
          String query = exchange.getRequestURI().getRawQuery();
          long now = System.currentTimeMillis();
          long sent = Long.parseLong(param(query, "sent", "0"));
          dlrs.incrementAndGet();
          if ("1".equals(param(query, "type", ""))) {
            dlrsDelivered.incrementAndGet();
            dlrLatency.incrementAndGet((int) Math.min(LATENCY_BUCKETS - 1, Math.max(0, now - sent)));
            firstDlrSentMillis.accumulateAndGet(sent, Math::min);
            lastDlrMillis.accumulateAndGet(now, Math::max);
          }
          answer(exchange, "ok\n");
        });
    http.createContext("/stats", exchange -> answer(exchange, stats() + "\n"));
    http.createContext(
        "/reset",
        exchange -> {
          dlrs.set(0);
          dlrsDelivered.set(0);
          firstDlrSentMillis.set(Long.MAX_VALUE);
          lastDlrMillis.set(0);
          for (int i = 0; i < LATENCY_BUCKETS; i++) {
            dlrLatency.set(i, 0);
          }
          answer(exchange, "ok\n");
        });
    http.start();
  }

  private String stats() {
    long[] counts = new long[LATENCY_BUCKETS];
    long total = 0;
    for (int i = 0; i < counts.length; i++) {
      counts[i] = dlrLatency.get(i);
      total += counts[i];
    }
    long firstSent = firstDlrSentMillis.get();
    double dlrSeconds = (lastDlrMillis.get() - firstSent) / 1000.0;
    return String.format(
        "binds=%d submits=%d receipts_acked=%d receipts_refused=%d receipts_pending=%d"
            + " first_submit_ms=%d last_receipt_ms=%d dlrs=%d dlrs_delivered=%d"
            + " dlr_per_s=%.0f dlr_p50_ms=%d dlr_p99_ms=%d dlr_max_ms=%d",
        binds.get(),
        submits.get(),
        receiptsAcked.get(),
        receiptsRefused.get(),
        receiptsPending.get(),
        firstSubmitMillis.get(),
        lastReceiptMillis.get(),
        dlrs.get(),
        dlrsDelivered.get(),
        total == 0 || dlrSeconds <= 0 ? 0.0 : total / dlrSeconds,
        percentile(counts, total, 0.50),
        percentile(counts, total, 0.99),
        percentile(counts, total, 1.0));
  }

  private static long percentile(long[] counts, long total, double p) {
    if (total == 0) {
      return -1;
    }
    long rank = (long) Math.ceil(p * total);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return i;
      }
    }
    return counts.length - 1;
  }

  private static String param(String query, String name, String otherwise) {
    if (query == null) {
      return otherwise;
    }
    return Arrays.stream(query.split("&"))
        .filter(pair -> pair.startsWith(name + "="))
        .map(pair -> pair.substring(name.length() + 1))
        .findFirst()
        .orElse(otherwise);
  }

  private static void answer(com.sun.net.httpserver.HttpExchange exchange, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public SubmitMultiResult onAcceptSubmitMulti(SubmitMulti submitMulti, SMPPServerSession session)
      throws ProcessRequestException {
    throw unsupported();
  }

  @Override
  public QuerySmResult onAcceptQuerySm(QuerySm querySm, SMPPServerSession session)
      throws ProcessRequestException {
    throw unsupported();
  }

  @Override
  public void onAcceptReplaceSm(ReplaceSm replaceSm, SMPPServerSession session)
      throws ProcessRequestException {
    throw unsupported();
  }

  @Override
  public void onAcceptCancelSm(CancelSm cancelSm, SMPPServerSession session)
      throws ProcessRequestException {
    throw unsupported();
  }

  @Override
  public BroadcastSmResult onAcceptBroadcastSm(BroadcastSm broadcastSm, SMPPServerSession session)
      throws ProcessRequestException {
    throw unsupported();
  }

  @Override
  public void onAcceptCancelBroadcastSm(CancelBroadcastSm cancel, SMPPServerSession session)
      throws ProcessRequestException {
    throw unsupported();
  }

  @Override
  public QueryBroadcastSmResult onAcceptQueryBroadcastSm(
      QueryBroadcastSm query, SMPPServerSession session) throws ProcessRequestException {
    throw unsupported();
  }

  @Override
  public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
    throw unsupported();
  }

  private static ProcessRequestException unsupported() {
    return new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
  }
}
