export type {
  NotificationHandler,
  RequestHandler,
  RequestHandlerContext,
  RequestOptions,
  RpcCaller,
  RpcConnectionLike,
  RpcHandlerRegistry,
  Unsubscribe,
} from "./rpc-types.js";
