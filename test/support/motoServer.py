"""moto's server (as moto_server runs it), answering one request at a time.

DynamoDB applies each conditional write atomically; moto's threaded server checks a condition and writes in separate
steps, so two racing writes could both pass one condition. Serving requests one by one gives the tests DynamoDB's
guarantee. Usage: python motoServer.py HOST PORT
"""
import os
import sys

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

host, port = sys.argv[1], int(sys.argv[2])
os.environ.setdefault("MOTO_PORT", str(port))
run_simple(host, port, DomainDispatcherApplication(create_backend_app), threaded=False, request_handler=MotoRequestHandler)
