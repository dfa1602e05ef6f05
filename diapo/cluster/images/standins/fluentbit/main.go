// Stand-in for fluent/fluent-bit, written for diapo: Fluent Bit is a C program, not served by
// the Go module proxy. Decks use it as the typical DaemonSet (one log collector per node): this
// stand-in starts like it, lists the container logs it would collect under /var/log and runs
// until it is stopped.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	version := os.Getenv("FLUENT_BIT_VERSION")
	fmt.Printf("Fluent Bit v%s (stand-in diapo)\n", version)
	fmt.Println("[input:tail:tail.0] watching /var/log/containers/*.log")
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	seen := map[string]bool{}
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for {
		files, _ := filepath.Glob("/var/log/containers/*.log")
		for _, file := range files {
			if !seen[file] {
				seen[file] = true
				fmt.Printf("[input:tail:tail.0] inotify_fs_add(): name=%s\n", file)
			}
		}
		select {
		case <-stop:
			fmt.Println("[engine] caught signal (SIGTERM)")
			return
		case <-tick.C:
		}
	}
}
