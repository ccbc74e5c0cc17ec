/*
 * A Kafka protocol peer for tests: librdkafka's mock cluster (rdkafka_mock.h) in a process of its
 * own, so any client (kafkajs) can talk to it over TCP on localhost.
 *
 *   mockCluster [brokers] [topic:partitions ...]
 *   mockCluster 1 nudge.ingest:6 nudge.ingest.dlq:1
 *
 * Prints one line, `BOOTSTRAP host:port,...`, once the topics exist, then serves until stdin
 * closes or SIGTERM/SIGINT arrives. Watching stdin means the cluster dies with the test process
 * that started it, even when that process is killed without a chance to clean up.
 *
 * The topics are created here because the mock broker does not implement CreateTopics.
 * Errors go to stderr with exit code 1.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stopping = 0;

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

/* Strict decimal parse: the whole string, within [min, max]. */
static int parse_int(const char *text, long min, long max, long *out) {
  char *end = NULL;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < min || value > max) return -1;
  *out = value;
  return 0;
}

static int looks_like_count(const char *arg) {
  return strchr(arg, ':') == NULL;
}

int main(int argc, char **argv) {
  long broker_count = 1;
  int first_topic = 1;
  if (argc > 1 && looks_like_count(argv[1])) {
    if (parse_int(argv[1], 1, 64, &broker_count) != 0) {
      fprintf(stderr, "mockCluster: broker count must be 1..64, got \"%s\"\n", argv[1]);
      return 1;
    }
    first_topic = 2;
  }

  /* The mock cluster lives inside an rd_kafka_t; a producer handle that never produces hosts it.
   * log_level 3 keeps librdkafka's notices about that idle handle off stderr, unless
   * NUDGE_KAFKA_MOCK_DEBUG asks for librdkafka debug contexts. */
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  const char *debug = getenv("NUDGE_KAFKA_MOCK_DEBUG"); /* e.g. "mock" for the group coordinator's state changes */
  int conf_ok = rd_kafka_conf_set(conf, "log_level", debug != NULL && *debug != '\0' ? "7" : "3", errstr, sizeof errstr) == RD_KAFKA_CONF_OK;
  if (conf_ok && debug != NULL && *debug != '\0')
    conf_ok = rd_kafka_conf_set(conf, "debug", debug, errstr, sizeof errstr) == RD_KAFKA_CONF_OK;
  if (!conf_ok) {
    fprintf(stderr, "mockCluster: %s\n", errstr);
    rd_kafka_conf_destroy(conf);
    return 1;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == NULL) {
    fprintf(stderr, "mockCluster: rd_kafka_new failed: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, (int)broker_count);
  if (cluster == NULL) {
    fprintf(stderr, "mockCluster: rd_kafka_mock_cluster_new(%ld) failed\n", broker_count);
    rd_kafka_destroy(rk);
    return 1;
  }

  int status = 0;
  int replication = broker_count < 3 ? (int)broker_count : 3;
  for (int i = first_topic; i < argc && status == 0; i++) {
    char *spec = argv[i];
    char *colon = strrchr(spec, ':');
    long partitions = 0;
    if (colon == NULL || colon == spec || parse_int(colon + 1, 1, 10000, &partitions) != 0) {
      fprintf(stderr, "mockCluster: topic spec must be name:partitions (partitions 1..10000), got \"%s\"\n", spec);
      status = 1;
      break;
    }
    *colon = '\0';
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, spec, (int)partitions, replication);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "mockCluster: could not create topic %s with %ld partitions: %s\n", spec, partitions,
              rd_kafka_err2str(err));
      status = 1;
    }
  }

  if (status == 0) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    signal(SIGPIPE, SIG_IGN);

    printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(cluster));
    fflush(stdout);

    /* Poll with a timeout rather than block in read(): a signal then ends the loop within 200 ms
     * whether or not it interrupted the system call. */
    char buffer[256];
    while (!stopping) {
      struct pollfd in = { .fd = STDIN_FILENO, .events = POLLIN };
      int ready = poll(&in, 1, 200);
      if (ready < 0) {
        if (errno == EINTR) continue;
        perror("mockCluster: poll(stdin)");
        status = 1;
        break;
      }
      if (ready == 0) continue;
      ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
      if (n == 0) break; /* stdin closed: the parent is gone or asked us to stop */
      if (n < 0 && errno != EINTR && errno != EAGAIN) break;
    }
  }

  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return status;
}
