"""Internal notes agents leave for colleagues, in the team's working languages (English, Chinese)."""

from __future__ import annotations

from kefu.demo.phrases.book import Intent

NOTES: dict[str, dict[Intent, tuple[str, ...]]] = {
    "en": {
        Intent.ORDER_STATUS: ("Checked WMS: order {order} picked and packed, courier scan pending.",
                              "Customer asked for evening delivery; added courier remark."),
        Intent.DELIVERY_DELAY: ("Trace opened with courier for {tracking}; hub backlog confirmed.",
                                "Second delay on this order. Logistics asked to prioritise."),
        Intent.REFUND_RETURN: ("Return approved under 7-day policy; finance to refund {amount} after QC.",
                               "Photos of the damage received and attached to the return case."),
        Intent.PASSWORD_RESET: ("Identity verified by OTP before unlocking the account.",
                                "Reset mails bounce for this domain; tech informed."),
        Intent.EXCHANGE_RATE: ("Quoted the 09:00 rate {rate}.",),
        Intent.COUPON: ("Coupon {code} expired; courtesy coupon issued per promo guideline.",),
        Intent.COMPLAINT: ("Complaint amount {amount} is above 500: escalated to tier 2.",
                           "Listened, apologised, solution agreed. Follow-up call booked for {date}.",
                           "Repeat complaint (2nd). Supervisor informed."),
        Intent.THANKS: ("Positive feedback, shared with the team.",),
    },
    "zh": {
        Intent.ORDER_STATUS: ("已查仓储系统：订单{order}已拣货打包，等待快递揽收扫描。",
                              "客户要求晚上派送，已备注快递。"),
        Intent.DELIVERY_DELAY: ("已向快递提交{tracking}查件，分拣中心确认积压。",
                                "该订单第二次延误，已请物流部优先处理。"),
        Intent.REFUND_RETURN: ("按7天无理由退货审核通过，质检后财务退款{amount}。",
                               "客户已提供破损照片，附在退货单里。"),
        Intent.PASSWORD_RESET: ("解锁前已通过短信验证码核实身份。", "该邮箱域名退信，已通知技术部。"),
        Intent.EXCHANGE_RATE: ("已按9点汇率{rate}报价。",),
        Intent.COUPON: ("优惠券{code}已过期，按活动规则补发。",),
        Intent.COMPLAINT: ("投诉金额{amount}超过500，已升级至二线。",
                           "已倾听、致歉并确认解决方案，{date}回访。",
                           "重复投诉（第2次），已告知主管。"),
        Intent.THANKS: ("客户表扬，已分享给团队。",),
    },
}
"""Working language -> intent -> note templates (same slots as the phrasebooks)."""
