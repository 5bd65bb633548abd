#!/usr/bin/env bash
# Runs the shaded jar through spark-submit on a standalone Spark cluster of one machine, without a Spark distribution:
# a SPARK_HOME whose jars/ holds spark-sql_2.13's dependency tree from Maven, a master and a worker on 127.0.0.1, and
# org.apache.spark.deploy.SparkSubmit (what bin/spark-submit runs). Stops the cluster when done. Under the shared lock:
#   mvn -B -q -Pspark-dist -DskipTests package -pl perceiver-spark -am
#   flock /tmp/perceiver-mvn.lock tools/spark_standalone.sh WORK_DIR classify-image --model M --input I --output O
#   flock /tmp/perceiver-mvn.lock tools/spark_standalone.sh WORK_DIR train image-classifier \
#       --trainer.strategy=spark --trainer.num_workers=2 --trainer.default_root_dir=R
# Extra spark-submit options: SUBMIT_OPTS (default: --executor-cores 2 --executor-memory 2g).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
W=${1:?usage: spark_standalone.sh WORK_DIR ARGS...}
shift
JAR="$ROOT/perceiver-spark/target/perceiver-spark-dist.jar"
[ -f "$JAR" ] || { echo "error: $JAR missing: mvn -B -q -Pspark-dist -DskipTests package -pl perceiver-spark -am" >&2; exit 2; }
SH="$W/spark-home"
if [ ! -f "$SH/RELEASE" ]; then
  mkdir -p "$W/spark-pom" "$SH/jars" "$SH/conf"
  cat > "$W/spark-pom/pom.xml" <<'EOF'
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId><artifactId>spark-home</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-sql_2.13</artifactId><version>4.0.1</version></dependency>
  </dependencies>
</project>
EOF
  (cd "$W/spark-pom" && mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=cp.txt)
  for j in $(tr ':' ' ' < "$W/spark-pom/cp.txt"); do ln -sf "$j" "$SH/jars/"; done
  cp "$ROOT/perceiver-spark/src/main/resources/log4j2.properties" "$SH/conf/"
  echo "Spark 4.0.1 (jars from Maven Central)" > "$SH/RELEASE" # the worker's executor launcher looks for it
fi
# what Spark's launcher gives a JVM on Java 17 (the same list as ./perceiver's)
OPTS=$(grep -o 'SPARK_JVM_OPTS="[^"]*"' "$ROOT/perceiver" | cut -d'"' -f2)
export SPARK_HOME="$SH" SPARK_SCALA_VERSION=2.13
java $OPTS -Xmx512m -cp "$SH/conf:$SH/jars/*" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 7077 \
  --webui-port 18080 > "$W/master.log" 2>&1 &
MASTER=$!
java $OPTS -Xmx512m -cp "$SH/conf:$SH/jars/*" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 2 \
  --memory 6g --work-dir "$W/worker" --webui-port 18081 spark://127.0.0.1:7077 > "$W/worker.log" 2>&1 &
WORKER=$!
trap 'kill $WORKER; sleep 2; kill $MASTER' EXIT
sleep 10
java $OPTS -Dai.djl.offline=true -Xmx1g -cp "$SH/conf:$SH/jars/*" org.apache.spark.deploy.SparkSubmit \
  --master spark://127.0.0.1:7077 ${SUBMIT_OPTS:---executor-cores 2 --executor-memory 2g} \
  --conf spark.executor.extraJavaOptions=-Dai.djl.offline=true "$JAR" "$@"
