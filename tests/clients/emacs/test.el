;;; test.el --- headless eglot test of dockerfile-ls  -*- lexical-binding: t; -*-
;; emacs --batch -Q -l test.el, with `dockerfile-ls' on PATH, LSP_TEST_FILE and LSP_TEST_OUT
;; set.  Loads the snippet editors/emacs/dockerfile-ls.el ($DOCKERFILE_LS_EMACS_SNIPPET) exactly
;; as a user would, then checks diagnostics, definition and completion through eglot.
;; Every wait has a deadline; any error ends Emacs with status 1 and the JSON says why.

(require 'package)
;; Debian's elpa-* packages, under -Q
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(package-initialize)
(require 'cl-lib)
(require 'json)
(require 'eglot)
(require 'dockerfile-mode)
(load (getenv "DOCKERFILE_LS_EMACS_SNIPPET") nil t)

(setq eglot-sync-connect t
      eglot-autoshutdown nil
      eglot-events-buffer-size 0)

(defvar my-out (getenv "LSP_TEST_OUT"))
(defvar my-t0 (float-time))
(defvar my-result nil)
(defvar my-checks nil)
(defvar my-published 0)

(defun my-ms () (round (* 1000 (- (float-time) my-t0))))
(defun my-pass (fmt &rest args) (push (apply #'format fmt args) my-checks))

(advice-add 'eglot-handle-notification :before
            (lambda (_server method &rest _)
              (when (eq method 'textDocument/publishDiagnostics) (cl-incf my-published))))

(defun my-wait (what pred secs)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.02))
    (unless (funcall pred) (error "timed out after %ss waiting for %s" secs what))))

(defun my-finish (ok err)
  (push (cons 'ok (if ok t :json-false)) my-result)
  (push (cons 'checks (vconcat (reverse my-checks))) my-result)
  (push (cons 'total_ms (my-ms)) my-result)
  (when err (push (cons 'error err) my-result))
  (with-temp-file my-out (insert (json-encode my-result)))
  (kill-emacs (if ok 0 1)))

(defun my-main ()
  (find-file (expand-file-name (getenv "LSP_TEST_FILE")))
  (unless (eq major-mode 'dockerfile-mode)
    (error "major mode of %s is %s" (buffer-name) major-mode))
  (my-pass "major mode dockerfile-mode for %s (the snippet's auto-mode-alist; dockerfile-mode alone leaves it out)" (buffer-name))
  ;; in batch there is no command loop, so the snippet's eglot-ensure hook never connects
  (apply #'eglot (eglot--guess-contact))
  (let ((server (eglot-current-server)))
    (unless server (error "no eglot server"))
    (unless (equal (process-command (jsonrpc--process server)) '("dockerfile-ls"))
      (error "eglot started %S, not the snippet's command" (process-command (jsonrpc--process server))))
    (my-pass "eglot connected with the snippet's command (\"dockerfile-ls\") at %d ms" (my-ms))
    ;; diagnostics: the duplicate stage name `tools'
    (my-wait "publishDiagnostics" (lambda () (> my-published 0)) 10)
    (flymake-start)
    (my-wait "flymake diagnostics" (lambda () (flymake-diagnostics)) 10)
    (let* ((dup-line (save-excursion (goto-char (point-min))
                                     (search-forward "AS tools") (search-forward "AS tools")
                                     (line-number-at-pos)))
           (hit (cl-find-if (lambda (d)
                              (and (= (line-number-at-pos (flymake-diagnostic-beg d)) dup-line)
                                   (eq (flymake-diagnostic-type d) 'eglot-error)
                                   (string-match-p "tools" (flymake-diagnostic-text d))))
                            (flymake-diagnostics))))
      (push (cons 'diagnostics
                  (vconcat (mapcar (lambda (d)
                                     (list (cons 'line (line-number-at-pos (flymake-diagnostic-beg d)))
                                           (cons 'type (symbol-name (flymake-diagnostic-type d)))
                                           (cons 'text (flymake-diagnostic-text d))))
                                   (flymake-diagnostics))))
            my-result)
      (unless hit (error "no eglot-error diagnostic for the duplicate stage on line %d" dup-line))
      (my-pass "diagnostics: error on line %d: %s" dup-line (flymake-diagnostic-text hit)))
    ;; definition: --from=builder -> AS builder, through xref
    (goto-char (point-min))
    (search-forward "--from=builder")
    (backward-char 3)
    (let* ((defs (xref-backend-definitions 'eglot (xref-backend-identifier-at-point 'eglot)))
           (decl-line (save-excursion (goto-char (point-min)) (search-forward "AS builder")
                                      (line-number-at-pos)))
           (lines (mapcar (lambda (x) (xref-location-line (xref-item-location x))) defs)))
      (unless (equal lines (list decl-line))
        (error "definition of --from=builder: lines %S, expected (%d)" lines decl-line))
      (my-pass "definition: --from=builder -> AS builder (line %d) through xref" decl-line))
    ;; completion after a typed `COPY --from=' through eglot's completion-at-point
    (goto-char (point-max))
    (insert "COPY --from=")
    (let* ((capf (eglot-completion-at-point))
           (table (nth 2 capf))
           (labels (all-completions "" table)))
      (push (cons 'completion (vconcat labels)) my-result)
      (unless (and (member "builder" labels) (member "tools" labels))
        (error "completion after --from= lacks the stages: %S" labels))
      (my-pass "completion after --from= lists the stages: %s"
               (mapconcat #'identity (sort (copy-sequence labels) #'string<) ", ")))
    (eglot-shutdown server)
    (when (jsonrpc-running-p server) (error "server still running after eglot-shutdown"))
    (my-pass "eglot-shutdown stopped the server")))

(condition-case e
    (progn (my-main) (my-finish t nil))
  (error (my-finish nil (error-message-string e))))
